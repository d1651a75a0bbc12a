// The lines of a finished job's summary, from the command's JSON result.
import { formatBytes, formatDuration } from '../events/format.js';

type Data = Record<string, unknown>;

const text = (value: unknown) => (typeof value === 'string' ? value : '');
const num = (value: unknown) => (typeof value === 'number' ? value : 0);
const obj = (value: unknown) =>
  typeof value === 'object' && value !== null ? (value as Data) : {};

/** Label and value pairs for the result of `command`. */
export function summaryOf(command: string, data: Data): [string, string][] {
  if (command === 'backup single') return backupSummary(data);
  if (command === 'restore single') return restoreSummary(data);
  if (command === 'verify') return verifySummary(data);
  if (command === 'backup cluster' || command === 'restore cluster') return clusterSummary(data);
  return Object.entries(data)
    .filter(([, v]) => typeof v !== 'object')
    .map(([k, v]) => [k, String(v)]);
}

function backupSummary(data: Data): [string, string][] {
  const sizes = obj(data.sizes);
  const encryption = data.encryption;
  return [
    ['file', text(data.file)],
    ['size', `${formatBytes(num(sizes.stored))} stored, ${formatBytes(num(sizes.dump))} dump`],
    ['checksum', `sha256 ${text(obj(data.checksum).value)}`],
    ['verified', obj(data.verified).afterBackup === true ? 'yes, re-read after writing' : 'no'],
    ['encrypted', encryption === null || encryption === undefined ? 'no' : 'yes (age)'],
    [
      'tables',
      `${(obj(data.fingerprint).tables as unknown[] | undefined)?.length ?? 0} fingerprinted`,
    ],
  ];
}

function restoreSummary(data: Data): [string, string][] {
  const plan = obj(data.plan);
  const compared = num(data.tablesCompared);
  return [
    ['from', text(plan.source)],
    ['into', `'${text(data.target)}'`],
    ['took', formatDuration(num(data.durationMs))],
    [
      'checked',
      compared > 0
        ? `row counts of ${compared} table(s) match the backup`
        : 'no fingerprint to compare',
    ],
  ];
}

function verifySummary(data: Data): [string, string][] {
  const checks = (data.checks as unknown[] | undefined)?.map(String) ?? [];
  const lines: [string, string][] = [
    ['file', text(data.file)],
    ['database', text(data.database)],
    ...checks.map((check): [string, string] => ['ok', check]),
  ];
  const deep = obj(data.deep);
  if (data.deep !== null && data.deep !== undefined) {
    const tables = (deep.tables as unknown[] | undefined)?.length ?? 0;
    lines.push([
      'deep',
      `restored into '${text(deep.database)}' on ${text(deep.where)}, dropped after`,
    ]);
    lines.push(['rows', `row counts of ${tables} table(s) match the manifest`]);
  }
  return lines;
}

function clusterSummary(data: Data): [string, string][] {
  const count = (value: unknown) => (Array.isArray(value) ? value.length : 0);
  if (data.command === 'restore cluster') {
    return [
      ['set', text(obj(data.plan).set)],
      ['restored', `${count(data.restored)} database(s), row counts compared`],
      ['skipped', `${count(data.skipped)} already restored before`],
      ['failed', String(count(data.failed))],
      ['took', formatDuration(num(data.durationMs))],
    ];
  }
  return [
    ['set', text(data.set)],
    ['status', text(data.status)],
    ['databases', String(count(data.members))],
    ['took', formatDuration(num(data.durationMs))],
  ];
}
