// Merges a connection URL into the options: each part counts at the URL's own level.
import { ExitCode, UserError } from '../errors.js';
import type { UrlParts } from './connection-url.js';
import { parseEngineType } from './engine-type.js';
import type { OptionSource, OptionValue } from './load.js';
import { Secret } from './secret.js';

/** A value some source set, and which. */
interface Found {
  value: Exclude<OptionValue, Secret>;
  source: OptionSource;
}

/** A connection URL and where it came from. */
export interface FoundUrl {
  parts: UrlParts;
  source: OptionSource;
}

/** Flags, then environment, then config file, then defaults. */
export const rank = (source: OptionSource) =>
  source === 'flag' ? 3 : source.startsWith('env ') ? 2 : source.startsWith('file ') ? 1 : 0;

/** The engine name to use: the URL's scheme unless an explicit setting outranks it. */
export function engineOf(found: Found | undefined, url?: FoundUrl): string {
  const explicit =
    found === undefined || found.source === 'default' || typeof found.value !== 'string'
      ? undefined
      : { text: found.value, source: found.source };
  if (url === undefined) return explicit?.text ?? 'postgres';
  const fromUrl = url.parts['db-type'];
  if (explicit === undefined) return fromUrl;
  if (parseEngineType(explicit.text).engine !== parseEngineType(fromUrl).engine) {
    throw new UserError(
      `the connection URL (${url.source}) is for ${fromUrl} but db-type is ${explicit.text} (${explicit.source})`,
      { code: ExitCode.config, hint: 'Drop one of the two, or make them name the same engine.' },
    );
  }
  return rank(explicit.source) >= rank(url.source) ? explicit.text : fromUrl;
}

export function withUrlEngine(found: Found | undefined, url: FoundUrl | undefined) {
  if (url === undefined) return found;
  if (found !== undefined && rank(found.source) >= rank(url.source)) return found;
  return { value: url.parts['db-type'], source: url.source } satisfies Found;
}

/**
 * Sets what the URL holds wherever no setting of a higher rank, or of the same rank (a
 * variable or key of its own), says otherwise. Host, socket and port are one choice: a URL
 * naming a host or socket also clears the others where the URL outranks them, so a socket or
 * port from the config file cannot silently redirect the server the URL names.
 */
export function applyUrl(
  url: FoundUrl,
  values: Map<string, OptionValue>,
  sources: Map<string, OptionSource>,
): void {
  const outranks = (key: string) => {
    const current = sources.get(key);
    return current === undefined || rank(current) < rank(url.source);
  };
  const { parts } = url;
  const endpoint = parts.host !== undefined || parts.socket !== undefined;
  for (const key of ['host', 'socket', 'port', 'user', 'password', 'database'] as const) {
    if (!outranks(key)) continue;
    const part = parts[key];
    if (part === undefined) {
      // A URL's server without a port is on the default port, not on one a file names.
      if (endpoint && (key === 'host' || key === 'socket' || key === 'port')) {
        values.delete(key);
        sources.delete(key);
      }
      continue;
    }
    values.set(key, key === 'password' ? new Secret(String(part)) : part);
    sources.set(key, url.source);
  }
}
