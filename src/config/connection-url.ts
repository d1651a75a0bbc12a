// Reads a connection URL (postgresql://, mysql://, mariadb://) into the options it stands for.
// The URL may carry a password, so no message here ever repeats the URL or any part of it
// that could be the password.
import { ExitCode, UserError } from '../errors.js';

/** Option values a URL sets, by option key; absent parts are left to the other sources. */
export interface UrlParts {
  'db-type': 'postgres' | 'mysql' | 'mariadb';
  host?: string;
  port?: number;
  socket?: string;
  user?: string;
  password?: string;
  database?: string;
}

const schemes: Record<string, UrlParts['db-type']> = {
  'postgres:': 'postgres',
  'postgresql:': 'postgres',
  'mysql:': 'mysql',
  'mariadb:': 'mariadb',
};

// Query parameters each engine's URL may hold, and the option each one sets. Anything else
// (sslmode, options…) is refused: silently dropping `sslmode=require` would weaken the link.
const parameters: Record<'postgres' | 'mysql', Record<string, keyof UrlParts>> = {
  postgres: { host: 'host', port: 'port', user: 'user', dbname: 'database' },
  mysql: { socket: 'socket', port: 'port', user: 'user' },
};

/** Parses a connection URL; `where` names its source (an environment variable, a file). */
export function parseConnectionUrl(text: string, where: string): UrlParts {
  const fail = (problem: string, hint: string) =>
    new UserError(`the connection URL in ${where} ${problem}`, { code: ExitCode.config, hint });
  const example =
    'For example postgresql://user:pa%40ss@db1:5432/app or mysql://user@127.0.0.1:3306/app.';

  const { url, hostless } = readUrl(text.trim(), () => fail('is not a valid URL', example));
  const type = schemes[url.protocol];
  if (type === undefined) {
    throw fail(
      'has an unknown scheme',
      'Use postgresql:// (or postgres://), mysql:// or mariadb://.',
    );
  }
  if (url.hash !== '') throw fail('has a #fragment', 'Percent-encode # in a password as %23.');

  const parts: UrlParts = { 'db-type': type };
  const decode = (value: string, part: string) => {
    try {
      return decodeURIComponent(value);
    } catch {
      throw fail(`has a badly percent-encoded ${part}`, 'Write % itself as %25.');
    }
  };

  const host = url.hostname.replace(/^\[(.*)\]$/, '$1');
  if (host.includes(',')) {
    throw fail('names several hosts', 'dbbackup connects to one server: give one host.');
  }
  if (host !== '' && !hostless) parts.host = decode(host, 'host');
  if (url.port !== '') parts.port = Number(url.port);
  if (url.username !== '') parts.user = decode(url.username, 'user name');
  if (url.password !== '') parts.password = decode(url.password, 'password');
  const path = url.pathname.replace(/^\//, '');
  if (path.includes('/')) throw fail('has a path of more than one name', example);
  if (path !== '') parts.database = decode(path, 'database name');

  const engine = type === 'postgres' ? 'postgres' : 'mysql';
  for (const [name, value] of url.searchParams) {
    const key = parameters[engine][name];
    if (key === undefined) {
      const known = Object.keys(parameters[engine]).join(', ');
      const tls = engine === 'postgres' && name.startsWith('ssl');
      throw fail(
        `has the parameter '${name}', which dbbackup does not take from a URL`,
        tls
          ? 'Set TLS with the variables libpq reads: PGSSLMODE, PGSSLROOTCERT, PGSSLCERT, PGSSLKEY.'
          : `Parameters understood here: ${known}; set anything else with its own option or variable.`,
      );
    }
    // An empty parameter (`?host=`) sets nothing, as in libpq.
    if (value !== '') setParameter(parts, key, value, fail);
  }
  // MySQL clients reach `localhost` through the socket; any other host is TCP and the socket
  // would be ignored.
  const tcpHost = parts.host !== undefined && parts.host !== 'localhost';
  if (engine === 'mysql' && tcpHost && parts.socket !== undefined) {
    throw fail(
      'names both a host and a socket',
      'Give one: mysql://user@host:3306/ or mysql://user@localhost/?socket=/path.',
    );
  }
  // libpq reads a host that is a path as the socket's directory.
  if (engine === 'postgres' && parts.host?.startsWith('/') === true) {
    parts.socket = parts.host;
    delete parts.host;
  }
  return parts;
}

// A stand-in for the empty host of `postgresql://user@/db?host=/socket`, which libpq takes and
// the WHATWG parser does not; `.invalid` can never name a real host.
const noHost = 'dbbackup-no-host.invalid';

function readUrl(text: string, invalid: () => UserError): { url: URL; hostless: boolean } {
  try {
    return { url: new URL(text), hostless: false };
  } catch {
    const filled = text.replace(/^([a-z]+:\/\/[^/?#]*@)(?=[/?#]|$)/i, `$1${noHost}`);
    if (filled === text) throw invalid();
    try {
      return { url: new URL(filled), hostless: true };
    } catch {
      throw invalid();
    }
  }
}

function setParameter(
  parts: UrlParts,
  key: keyof UrlParts,
  value: string,
  fail: (problem: string, hint: string) => UserError,
): void {
  if (key === 'port') {
    const port = Number(value);
    if (!Number.isInteger(port) || port < 1 || port > 65535) {
      throw fail('has a port parameter that is not a port number', 'Ports are 1 to 65535.');
    }
    parts.port = port;
  } else if (key !== 'db-type' && key !== 'password') {
    parts[key] = value;
  }
}

/** Tells whether a URL text holds a password, without failing on a malformed one. */
export function urlHasPassword(text: string): boolean {
  try {
    return new URL(text.trim()).password !== '';
  } catch {
    // Unparseable: treat as secret-bearing, so a file holding it must still be private.
    return true;
  }
}
