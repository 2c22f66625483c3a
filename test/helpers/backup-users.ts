// The backup accounts agent/deploy/README.md tells an admin to create — read-only, on the one database — made the
// same way on the test servers, so the grants it documents are the ones the tests back up with.
import { type MariaDb, sqlString } from './mariadb.js';
import { type Postgres, pgString } from './postgres.js';

/**
 * MariaDB before 11.3: the database's tables, views, triggers and events, and the text of its routines, which
 * only mysql.proc holds. Without TRIGGER or mysql.proc, mysqldump leaves triggers or routines out and still
 * reports a complete dump; without SHOW VIEW or EVENT it fails.
 */
export function mariadbBackupGrants(database: string, account: string): string[] {
  return [
    `GRANT SELECT, SHOW VIEW, TRIGGER, EVENT ON \`${database}\`.* TO ${account};`,
    `GRANT SELECT ON mysql.proc TO ${account};`,
  ];
}

/** PostgreSQL: connect to the database, read every table and sequence of its schema, now and later. */
export function postgresBackupGrants(
  database: string,
  role: string,
  owner: string,
  schema = 'public',
): string[] {
  return [
    `GRANT CONNECT ON DATABASE "${database}" TO ${role};`,
    `GRANT USAGE ON SCHEMA ${schema} TO ${role};`,
    `GRANT SELECT ON ALL TABLES IN SCHEMA ${schema} TO ${role};`,
    `GRANT SELECT ON ALL SEQUENCES IN SCHEMA ${schema} TO ${role};`,
    `ALTER DEFAULT PRIVILEGES FOR ROLE ${owner} IN SCHEMA ${schema} GRANT SELECT ON TABLES TO ${role};`,
    `ALTER DEFAULT PRIVILEGES FOR ROLE ${owner} IN SCHEMA ${schema} GRANT SELECT ON SEQUENCES TO ${role};`,
  ];
}

export async function mariadbBackupUser(db: MariaDb, database: string, user: string, password: string) {
  // Over TCP the user is @'127.0.0.1'; over the socket it is @localhost.
  for (const host of ['127.0.0.1', 'localhost']) {
    const account = `'${user}'@'${host}'`;
    await db.exec(
      [
        `CREATE USER ${account} IDENTIFIED BY ${sqlString(password)};`,
        ...mariadbBackupGrants(database, account),
      ].join('\n'),
    );
  }
}

export async function postgresBackupRole(pg: Postgres, database: string, role: string, password: string) {
  await pg.exec(`CREATE ROLE ${role} LOGIN PASSWORD ${pgString(password)};`);
  // The fixture's tables belong to the server's superuser, which made them.
  const owner = (await pg.exec('SELECT current_user;')).trim();
  await pg.exec(postgresBackupGrants(database, role, owner).join('\n'), database);
}
