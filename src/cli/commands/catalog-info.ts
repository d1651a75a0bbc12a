// `dbbackup catalog info BACKUP`: everything the catalog knows of one backup.
import { basename } from 'node:path';
import { findBackup, findRuns } from '../../catalog/queries.js';
import { ExitCode, UserError } from '../../errors.js';
import { formatBytes, formatLocalTime } from '../../events/format.js';
import { withCatalog } from '../catalog-access.js';
import { verifiedText, viewJson, viewsOf } from '../catalog-view.js';
import type { CommandSpec } from '../command.js';
import { present } from '../render.js';

/** The command. */
export const catalogInfoCommand: CommandSpec = {
  name: 'catalog info',
  description: 'show one backup: its manifest facts, verification and the runs against it',
  args: [
    { name: 'backup', description: 'backup file name (or its .manifest.json)', required: true },
  ],
  usesServer: false,
  run: (ctx, [name = '']) =>
    withCatalog(ctx, ({ catalog }) => {
      const record = findBackup(catalog, basename(name));
      if (record === undefined) {
        throw new UserError(`backup '${name}' is not in the catalog`, {
          code: ExitCode.noInput,
          hint: '`dbbackup catalog list` shows the backups; `dbbackup catalog sync` adds files copied in by hand.',
        });
      }
      const [view] = viewsOf(catalog, [record]);
      const runs = findRuns(catalog).filter((r) => r.file === record.file);
      const facts: [string, string][] = [
        ['file', record.file ?? '(failed attempt, no file)'],
        ['database', record.database],
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
          manifest: record.manifest === null ? null : (JSON.parse(record.manifest) as unknown),
          runs,
        },
        rows: facts,
        columns: [
          { header: 'FIELD', text: (f) => f[0], raw: (f) => f[0] },
          { header: 'VALUE', text: (f) => f[1], raw: (f) => f[1] },
        ],
        footer: runs.map(
          (r) =>
            `run ${formatLocalTime(r.at)} ${r.action} ${r.depth}: ${r.ok ? 'ok' : `failed (${r.errorCode ?? '?'}) ${r.error ?? ''}`}`,
        ),
      });
      return ExitCode.ok;
    }),
};
