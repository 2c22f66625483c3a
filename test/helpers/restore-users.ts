// The restore accounts docs/restore.md tells an admin to create, made the same way on the test servers, so the grants it
// documents are the ones the tests restore with.
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { FerretDb } from './ferretdb.js';
import { awkwardPassword, type MariaDb, sqlString } from './mariadb.js';
import { type Postgres, pgString } from './postgres.js';

/** MariaDB: everything a dump needs, on the scratch databases only (`_` escaped: it is a wildcard in grants). */
export const MARIADB_RESTORE_PRIVILEGES =
  'CREATE, DROP, ALTER, INDEX, SELECT, INSERT, UPDATE, DELETE, CREATE VIEW, SHOW VIEW, TRIGGER, EVENT, CREATE ROUTINE, ALTER ROUTINE, EXECUTE, LOCK TABLES, REFERENCES, CREATE TEMPORARY TABLES';

/** MariaDB 10.5.2 and later: what replaying binary logs (mariadb-binlog's BINLOG '…' statements) needs, server-wide. */
const MARIADB_REPLAY_PRIVILEGE = 'BINLOG REPLAY';

export interface RestoreAccount {
  user: string;
  password: string;
}

export async function mariadbRestoreUser(
  db: MariaDb,
  scratch: readonly string[],
  user = 'restore',
  privileges = MARIADB_RESTORE_PRIVILEGES,
  /** Also may replay binary logs, for restores to a moment. */
  replay = false,
): Promise<RestoreAccount> {
  const password = awkwardPassword();
  const statements = ['127.0.0.1', 'localhost'].flatMap((host) => [
    `CREATE USER ${user}@'${host}' IDENTIFIED BY ${sqlString(password)};`,
    ...scratch.map(
      (name) => `GRANT ${privileges} ON \`${name.replaceAll('_', '\\_')}\`.* TO ${user}@'${host}';`,
    ),
    ...(replay ? [`GRANT ${MARIADB_REPLAY_PRIVILEGE} ON *.* TO ${user}@'${host}';`] : []),
  ]);
  await db.exec(statements.join('\n'));
  return { user, password };
}

/** PostgreSQL: a role that may create databases and owns (so may drop) only those it made. */
export async function postgresRestoreRole(pg: Postgres, user = 'restore'): Promise<RestoreAccount> {
  const password = awkwardPassword();
  await pg.exec(`CREATE ROLE ${user} LOGIN CREATEDB PASSWORD ${pgString(password)};`);
  return { user, password };
}

/**
 * MongoDB: docs/restore.md's user, in `admin`, without its roles — FerretDB 1.x has none (it refuses createUser's
 * `roles` field as "not implemented"), so any user it knows may read, write and drop every database there.
 */
export async function ferretdbRestoreUser(ferret: FerretDb, user = 'restore'): Promise<RestoreAccount> {
  const password = awkwardPassword();
  await ferret.client.db('admin').command({ createUser: user, pwd: password, roles: [] });
  return { user, password };
}

export async function passwordFile(dir: string, name: string, password: string): Promise<string> {
  const path = join(dir, `${name}.password`);
  await writeFile(path, `${password}\n`, { mode: 0o600 });
  return path;
}

export async function mariadbDatabases(db: MariaDb): Promise<string[]> {
  return (await db.exec('SHOW DATABASES;')).trim().split('\n');
}

export async function mongodbDatabases(ferret: FerretDb): Promise<string[]> {
  const { databases } = await ferret.client.db('admin').admin().listDatabases({ nameOnly: true });
  return databases.map((database) => database.name);
}

export async function postgresDatabases(pg: Postgres): Promise<string[]> {
  return (await pg.exec('SELECT datname FROM pg_database ORDER BY 1;')).trim().split('\n');
}
