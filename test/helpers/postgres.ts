// A throwaway PostgreSQL cluster for tests: initdb as `postgres` in a temp dir, a random port, a unix socket in
// the same dir, password (scram-sha-256) auth over TCP, and a backup role; plus the fixture and its checksums.

import { chown, mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PG_FIXTURE_SQL } from './fixtures/postgres-fixture.js';
import { awkwardPassword } from './mariadb.js';
import { freePort, runTool } from './stand-in-tools.js';

const BIN = '/usr/lib/postgresql/15/bin';

export interface Postgres {
  host: '127.0.0.1';
  port: number;
  /** The unix socket directory (trust auth for the `postgres` superuser, used by `exec`). */
  socketDir: string;
  /** A role with pg_read_all_data and a password, for TCP connections. */
  user: string;
  password: string;
  /** Runs SQL through psql as the superuser (unaligned, tuples only, stops at the first error). */
  exec(sql: string, database?: string): Promise<string>;
  stop(): Promise<void>;
}

/** A SQL string literal for PostgreSQL (standard_conforming_strings: only quotes are doubled). */
export function pgString(value: string): string {
  return `'${value.replace(/'/g, "''")}'`;
}

async function postgresIds(): Promise<{ uid: number; gid: number }> {
  const id = async (flag: string) => Number((await runTool('id', [flag, 'postgres'])).trim());
  return { uid: await id('-u'), gid: await id('-g') };
}

export async function startPostgres(): Promise<Postgres> {
  const dir = await mkdtemp(join(tmpdir(), 'postgres-'));
  const { uid, gid } = await postgresIds();
  await chown(dir, uid, gid);
  const data = join(dir, 'data');
  const asPostgres = (tool: string, args: string[]) =>
    runTool('runuser', ['-u', 'postgres', '--', join(BIN, tool), ...args]);
  await asPostgres('initdb', [
    `--pgdata=${data}`,
    '--username=postgres',
    '--auth-local=trust',
    '--auth-host=scram-sha-256',
    '--encoding=UTF8',
    '--locale=C.UTF-8',
    '--no-sync',
  ]);
  const port = await freePort();
  // fsync off: durability is not under test, and restores in parallel tests stay fast.
  const serverOptions = `-c port=${port} -c listen_addresses=127.0.0.1 -c unix_socket_directories=${dir} -c fsync=off`;
  await asPostgres('pg_ctl', [
    'start',
    '--wait',
    '--timeout=60',
    `--pgdata=${data}`,
    `--log=${join(dir, 'server.log')}`,
    '-o',
    serverOptions,
  ]);

  const exec = (sql: string, database = 'postgres') =>
    runTool(
      join(BIN, 'psql'),
      [
        '-X',
        '-q',
        '-A',
        '-t',
        '-v',
        'ON_ERROR_STOP=1',
        '-h',
        dir,
        '-p',
        String(port),
        '-U',
        'postgres',
        '-d',
        database,
      ],
      {
        input: sql,
      },
    );
  const user = 'backup';
  const password = awkwardPassword();
  await exec(`CREATE ROLE ${user} LOGIN PASSWORD ${pgString(password)}; GRANT pg_read_all_data TO ${user};`);

  return {
    host: '127.0.0.1',
    port,
    socketDir: dir,
    user,
    password,
    exec,
    async stop() {
      await asPostgres('pg_ctl', ['stop', '--wait', `--pgdata=${data}`, '--mode=immediate']).catch(
        () => undefined,
      );
      await rm(dir, { recursive: true, force: true });
    },
  };
}

/** Creates `database` with the fixture: bytea, NULLs, non-ASCII text, a view, a trigger and a function. */
export async function seedPgFixture(pg: Postgres, database: string): Promise<void> {
  await pg.exec(`CREATE DATABASE "${database}";`);
  await pg.exec(PG_FIXTURE_SQL, database);
}

export interface PgChecksums {
  /** Table name → md5 of its rows as text, in a fixed order. */
  tables: Record<string, string>;
  /** Views, triggers and functions by name, sorted. */
  objects: string[];
}

export async function pgChecksums(pg: Postgres, database: string): Promise<PgChecksums> {
  const names = (
    await pg.exec("SELECT tablename FROM pg_tables WHERE schemaname = 'public' ORDER BY 1;", database)
  )
    .trim()
    .split('\n')
    .filter(Boolean);
  const tables: Record<string, string> = {};
  for (const name of names) {
    const sum = await pg.exec(
      `SELECT md5(coalesce(string_agg(t::text, E'\\n' ORDER BY t::text), '')) FROM "${name}" t;`,
      database,
    );
    tables[name] = sum.trim();
  }
  const objects = await pg.exec(
    [
      "SELECT 'view:' || viewname FROM pg_views WHERE schemaname = 'public'",
      "UNION ALL SELECT 'trigger:' || tgname FROM pg_trigger WHERE NOT tgisinternal",
      "UNION ALL SELECT 'function:' || p.proname FROM pg_proc p JOIN pg_namespace n ON n.oid = p.pronamespace WHERE n.nspname = 'public';",
    ].join(' '),
    database,
  );
  return { tables, objects: objects.trim().split('\n').filter(Boolean).sort() };
}
