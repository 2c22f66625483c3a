// How MongoDB's tools reach the server, shared by the dump (mongodump) and the restore (mongorestore, mongosh): the
// connection, a user and where it is defined, TLS, and the password's --config file.
import type { MongodbTarget } from './mongodb.js';

const DEFAULT_HOST = '127.0.0.1';
const DEFAULT_PORT = 27017;
const DEFAULT_AUTH_DATABASE = 'admin';

/** mongodump's and mongorestore's --config YAML; a JSON string is a valid YAML double-quoted scalar. */
export function configFile(password: string): string {
  return `password: ${JSON.stringify(password)}\n`;
}

export function connection(target: MongodbTarget): string[] {
  if (target.uri !== undefined) return [`--uri=${target.uri}`];
  return [`--host=${target.host ?? DEFAULT_HOST}`, `--port=${target.port ?? DEFAULT_PORT}`];
}

/** The user's flags: `admin` is where it is defined by default with host and port, the URI's rule with `uri`. */
export function authDatabaseOf(
  target: MongodbTarget,
  user: string | undefined,
  authDatabase: string | undefined,
) {
  return authDatabase ?? (target.uri === undefined && user ? DEFAULT_AUTH_DATABASE : undefined);
}

export function authentication(
  target: MongodbTarget,
  user: string | undefined,
  authDatabase: string | undefined,
): string[] {
  const database = authDatabaseOf(target, user, authDatabase);
  return [
    ...(user === undefined ? [] : [`--username=${user}`]),
    ...(database === undefined ? [] : [`--authenticationDatabase=${database}`]),
  ];
}

export function tls(target: MongodbTarget): string[] {
  if (!target.tls) return [];
  return [
    '--ssl',
    ...(target.tls.caFile ? [`--sslCAFile=${target.tls.caFile}`] : []),
    ...(target.tls.certificateKeyFile ? [`--sslPEMKeyFile=${target.tls.certificateKeyFile}`] : []),
    ...(target.tls.allowInvalidHostnames ? ['--sslAllowInvalidHostnames'] : []),
  ];
}

/** The same server as a connection string for mongosh, whose TLS settings are URI options. */
export function connectionString(target: MongodbTarget): string {
  const base = target.uri ?? `mongodb://${target.host ?? DEFAULT_HOST}:${target.port ?? DEFAULT_PORT}/`;
  if (!target.tls) return base;
  const options = new URLSearchParams({ tls: 'true' });
  if (target.tls.caFile) options.set('tlsCAFile', target.tls.caFile);
  if (target.tls.certificateKeyFile) options.set('tlsCertificateKeyFile', target.tls.certificateKeyFile);
  if (target.tls.allowInvalidHostnames) options.set('tlsAllowInvalidHostnames', 'true');
  const separator = base.includes('?') ? '&' : base.endsWith('/') ? '?' : '/?';
  return `${base}${separator}${options.toString()}`;
}
