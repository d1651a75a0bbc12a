// SQL the PostgreSQL engine runs: catalogs only, no data is read except row counts.
import type { TableFingerprint } from '../../manifest/manifest.js';
import type { PgClient } from './client.js';
import { quoteIdent } from './client.js';

const userSchemas = `n.nspname NOT IN ('pg_catalog', 'information_schema')
  AND n.nspname NOT LIKE 'pg\\_toast%' AND n.nspname NOT LIKE 'pg\\_temp%'`;

/** Tables whose rows pg_dump writes: ordinary tables and partitions, populated matviews. */
const tablesSql = `
SELECT n.nspname AS schema, c.relname AS name
FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
WHERE ${userSchemas}
  AND (c.relkind = 'r' OR (c.relkind = 'm' AND c.relispopulated))
  AND c.relpersistence <> 't'
  AND NOT EXISTS (SELECT 1 FROM pg_depend d
                  WHERE d.classid = 'pg_class'::regclass AND d.objid = c.oid AND d.deptype = 'e')
ORDER BY 1, 2`;

/** Counts every table's rows exactly, in the client's current transaction. */
export async function countTables(client: PgClient): Promise<TableFingerprint[]> {
  const { rows } = await client.query<{ schema: string; name: string }>(tablesSql);
  const out: TableFingerprint[] = [];
  for (const { schema, name } of rows) {
    const sql = `SELECT count(*)::text AS n FROM ONLY ${quoteIdent(schema)}.${quoteIdent(name)}`;
    const result = await client.query<{ n: string }>(sql);
    out.push({ schema, name, rows: Number(result.rows[0]?.n ?? 0) });
  }
  return out;
}

/** Roles a restore of this database needs: owners of its objects and grantees of privileges. */
export async function referencedRoles(client: PgClient): Promise<string[]> {
  const { rows } = await client.query<{ rolname: string }>(`
SELECT r.rolname FROM pg_shdepend d JOIN pg_roles r ON r.oid = d.refobjid
WHERE d.dbid = (SELECT oid FROM pg_database WHERE datname = current_database())
  AND d.refclassid = 'pg_authid'::regclass
UNION SELECT pg_get_userbyid(c.relowner) FROM pg_class c
  JOIN pg_namespace n ON n.oid = c.relnamespace WHERE ${userSchemas}
UNION SELECT pg_get_userbyid(n.nspowner) FROM pg_namespace n WHERE ${userSchemas}
UNION SELECT pg_get_userbyid(p.proowner) FROM pg_proc p
  JOIN pg_namespace n ON n.oid = p.pronamespace WHERE ${userSchemas}
UNION SELECT pg_get_userbyid(lomowner) FROM pg_largeobject_metadata
ORDER BY 1`);
  return rows.map((r) => r.rolname);
}

/** Extensions installed in the database, other than the built-in plpgsql. */
export async function installedExtensions(client: PgClient): Promise<string[]> {
  const { rows } = await client.query<{ extname: string }>(
    `SELECT extname FROM pg_extension WHERE extname <> 'plpgsql' ORDER BY 1`,
  );
  return rows.map((r) => r.extname);
}

/** Counts user objects: relations, schemas, functions, extensions and large objects. */
export async function countUserObjects(client: PgClient): Promise<number> {
  const { rows } = await client.query<{ n: string }>(`
SELECT ((SELECT count(*) FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
         WHERE ${userSchemas})
      + (SELECT count(*) FROM pg_namespace n WHERE ${userSchemas} AND n.nspname <> 'public')
      + (SELECT count(*) FROM pg_proc p JOIN pg_namespace n ON n.oid = p.pronamespace
         WHERE ${userSchemas})
      + (SELECT count(*) FROM pg_extension WHERE extname <> 'plpgsql')
      + (SELECT count(*) FROM pg_largeobject_metadata))::text AS n`);
  return Number(rows[0]?.n ?? 0);
}
