// `dbbackup catalog info BACKUP`: everything the catalog knows of one backup.
import { findBackup, findBackups, findRuns } from '../../catalog/queries.js';
import { setKinds } from '../../catalog/records.js';
import { subjectOf } from '../../catalog/verification.js';
import { ExitCode, UserError } from '../../errors.js';
import { formatBytes, formatLocalTime } from '../../events/format.js';
import { withCatalog } from '../catalog-access.js';
import { fileText, kindText, verifiedText, viewJson, viewsOf } from '../catalog-view.js';
import type { CommandSpec } from '../command.js';
import { present } from '../render.js';

/** The command. */
export const catalogInfoCommand: CommandSpec = {
  name: 'catalog info',
  description: 'show one backup: its manifest facts, verification and the runs against it',
  args: [
    {
      name: 'backup',
      description: 'backup file name (or its .manifest.json), a set directory, or SET/FILE',
      required: true,
    },
  ],
  usesServer: false,
  run: (ctx, [name = '']) =>
    withCatalog(ctx, ({ catalog }) => {
      const record = findBackup(catalog, catalogNameOf(name));
      if (record === undefined) {
        throw new UserError(`backup '${name}' is not in the catalog`, {
          code: ExitCode.noInput,
          hint: '`dbbackup catalog list` shows the backups; `dbbackup catalog sync` adds files copied in by hand.',
        });
      }
      const [view] = viewsOf(catalog, [record]);
      const members =
        record.kind === setKinds.set
          ? viewsOf(
              catalog,
              findBackups(catalog).filter((r) => r.setId === record.id && r.id !== record.id),
            )
          : [];
      const files = new Set([record.file, ...members.map((m) => m.record.file)]);
      const runs = findRuns(catalog).filter((r) => files.has(r.file));
      const facts: [string, string][] = [
        ['file', view === undefined ? '-' : fileText(view)],
        ['kind', kindText(record)],
        ['database', subjectOf(record)],
        ...(record.setId !== null && record.kind !== setKinds.set
          ? [['set', record.setId] as [string, string]]
          : []),
        ['engine', record.engine],
        ['host', record.host ?? '-'],
        ['status', record.error === null ? record.status : `${record.status}: ${record.error}`],
        ['started', `${formatLocalTime(record.startedAt)} (${record.startedAt})`],
        ['stored', record.storedBytes === null ? '-' : formatBytes(record.storedBytes)],
        ['dump', record.dumpBytes === null ? '-' : formatBytes(record.dumpBytes)],
        ['compression', record.compression ?? '-'],
        ['encrypted', record.encryption === null ? 'no' : 'yes'],
        ['sha256', record.checksum ?? '-'],
        ['verified', view === undefined ? '-' : verifiedText(view)],
      ];
      present(ctx, {
        data: {
          command: 'catalog info',
          backup: view === undefined ? null : viewJson(view),
          members: members.map(viewJson),
          manifest: record.manifest === null ? null : (JSON.parse(record.manifest) as unknown),
          runs,
        },
        rows: facts,
        columns: [
          { header: 'FIELD', text: (f) => f[0], raw: (f) => f[0] },
          { header: 'VALUE', text: (f) => f[1], raw: (f) => f[1] },
        ],
        footer: [
          ...members.map(
            (m) =>
              `member ${subjectOf(m.record)}: ${m.record.status}` +
              (m.record.status === 'complete'
                ? `, verified ${verifiedText(m)}, ${fileText(m)}`
                : `: ${m.record.error ?? ''}`),
          ),
          ...runs.map(
            (r) =>
              `run ${formatLocalTime(r.at)} ${r.action} ${r.depth} ${r.file}: ${r.ok ? 'ok' : `failed (${r.errorCode ?? '?'}) ${r.error ?? ''}`}`,
          ),
        ],
      });
      return ExitCode.ok;
    }),
};

// The catalog id a user's path names: `SET/FILE` for a member, the directory for a set,
// otherwise the file name alone.
function catalogNameOf(path: string): string {
  const parts = path.split('/').filter((p) => p !== '' && p !== '.');
  const last = parts.at(-1) ?? '';
  const parent = parts.at(-2);
  if (last === 'set.manifest.json' || last === 'set.plan.json') return parent ?? last;
  if (parent?.startsWith('cluster_') === true) return `${parent}/${last}`;
  return last;
}
