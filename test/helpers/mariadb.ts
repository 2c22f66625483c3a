// A throwaway MariaDB server for tests: its own datadir, socket and random port; a root and a backup user with
// passwords; and a fixture database with every kind of object a faithful dump must carry.

import { spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import { connect } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { FIXTURE_SQL, FIXTURE_TABLES } from './fixtures/mariadb-fixture.js';
import { freePort, runTool } from './stand-in-tools.js';

export interface MariaDb {
  host: '127.0.0.1';
  port: number;
  socket: string;
  rootPassword: string;
  /** A user with the privileges a backup needs (SELECT, SHOW VIEW, TRIGGER, EVENT, LOCK TABLES). */
  user: string;
  password: string;
  /** Runs SQL as root over the socket (batch mode, no column names); resolves with stdout. */
  exec(sql: string, database?: string): Promise<string>;
  /** Shuts the server down cleanly and starts it again on the same data, port and users, with `settings` now. */
  restart(settings: Pick<MariaDbOptions, 'binlog'>): Promise<void>;
  stop(): Promise<void>;
}

export interface MariaDbOptions {
  /** InnoDB buffer pool, e.g. `'1G'` for the benchmark; small by default so parallel tests stay light. */
  bufferPool?: string;
  /** Binary logging on, in ROW format, as point-in-time recovery needs it (files `binlog.NNNNNN`); off by default. */
  binlog?: { serverId: number };
}

/** A password with the characters option files and SQL literals get wrong: quotes, `#`, `\`, spaces, `$`. */
export function awkwardPassword(): string {
  return `p#"w' \\d$${randomBytes(6).toString('hex')}`;
}

/** A SQL string literal for MariaDB (backslash escapes on). */
export function sqlString(value: string): string {
  return `'${value.replace(/\\/g, '\\\\').replace(/'/g, "''")}'`;
}

async function waitForPort(port: number, deadline: number, log: string): Promise<void> {
  for (;;) {
    const open = await new Promise<boolean>((resolve) => {
      const socket = connect(port, '127.0.0.1', () => {
        socket.destroy();
        resolve(true);
      });
      socket.once('error', () => resolve(false));
    });
    if (open) return;
    if (Date.now() > deadline) throw new Error(`mariadbd did not open port ${port}; see ${log}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

export async function startMariaDb(options: MariaDbOptions = {}): Promise<MariaDb> {
  const dir = await mkdtemp(join(tmpdir(), 'mariadb-'));
  const datadir = join(dir, 'data');
  const socket = join(dir, 'mysqld.sock');
  const log = join(dir, 'error.log');
  await runTool('mariadb-install-db', [
    '--no-defaults',
    `--datadir=${datadir}`,
    '--user=root',
    '--auth-root-authentication-method=normal',
    '--skip-test-db',
    // As the server below: its bootstrap's temporary tables lost to whatever cleans /tmp abort the install.
    `--tmpdir=${dir}`,
  ]);
  const port = await freePort();
  /** mariadbd on the datadir, its binary logging with `binlog`'s server id; resolves once it listens. */
  async function launch(binlog: MariaDbOptions['binlog']) {
    const server = spawn(
      '/usr/sbin/mariadbd',
      [
        '--no-defaults',
        `--datadir=${datadir}`,
        `--socket=${socket}`,
        `--port=${port}`,
        '--bind-address=127.0.0.1',
        '--user=root',
        ...(binlog
          ? ['--log-bin=binlog', '--binlog-format=ROW', `--server-id=${binlog.serverId}`]
          : ['--skip-log-bin']),
        '--skip-name-resolve',
        `--pid-file=${join(dir, 'mariadbd.pid')}`,
        `--log-error=${log}`,
        // Its own temp folder: internal temporary tables must not share /tmp with whatever else cleans it.
        `--tmpdir=${dir}`,
        `--innodb-buffer-pool-size=${options.bufferPool ?? '64M'}`,
        '--innodb-log-file-size=256M',
        // Durability is not under test: skipping the fsyncs keeps fixture loads and restores fast.
        '--innodb-flush-log-at-trx-commit=0',
        '--innodb-doublewrite=0',
        '--character-set-server=utf8mb4',
        '--collation-server=utf8mb4_unicode_ci',
        '--max-allowed-packet=64M',
      ],
      { stdio: 'ignore' },
    );
    const exited = new Promise<void>((resolve) => server.once('exit', () => resolve()));
    try {
      await waitForPort(port, Date.now() + 30_000, log);
    } catch (error) {
      server.kill('SIGKILL');
      throw error;
    }
    /** SIGTERM, as a service manager stops it (a clean shutdown), SIGKILL if it hangs. */
    return async () => {
      server.kill('SIGTERM');
      const timer = setTimeout(() => server.kill('SIGKILL'), 10_000);
      await exited;
      clearTimeout(timer);
    };
  }
  let shutdown = await launch(options.binlog);

  const rootPassword = awkwardPassword();
  const password = awkwardPassword();
  const user = 'backup';
  let rootEnv: NodeJS.ProcessEnv = { ...process.env };
  const exec = (sql: string, database?: string) =>
    runTool(
      'mariadb',
      [
        '--no-defaults',
        `--socket=${socket}`,
        '--user=root',
        '--default-character-set=utf8mb4',
        '--batch',
        '--skip-column-names',
        ...(database ? [database] : []),
      ],
      { input: sql, env: rootEnv },
    );
  await exec(
    [
      `ALTER USER root@localhost IDENTIFIED BY ${sqlString(rootPassword)};`,
      // Over TCP the user is @'127.0.0.1'; over the socket it is @localhost.
      ...['127.0.0.1', 'localhost'].flatMap((host) => [
        `CREATE USER ${user}@'${host}' IDENTIFIED BY ${sqlString(password)};`,
        `GRANT SELECT, SHOW VIEW, TRIGGER, EVENT, LOCK TABLES ON *.* TO ${user}@'${host}';`,
      ]),
    ].join('\n'),
  );
  // From here on root needs its password; MYSQL_PWD keeps it out of argv.
  rootEnv = { ...process.env, MYSQL_PWD: rootPassword };

  return {
    host: '127.0.0.1',
    port,
    socket,
    rootPassword,
    user,
    password,
    exec,
    async restart(settings) {
      await shutdown();
      shutdown = await launch(settings.binlog);
    },
    async stop() {
      await shutdown();
      await rm(dir, { recursive: true, force: true });
    },
  };
}

/** Creates `database` with the fixture: binary data, NULLs, non-ASCII text, a view, a trigger, routines, an event. */
export async function seedFixture(db: MariaDb, database: string): Promise<void> {
  await db.exec(`CREATE DATABASE \`${database}\`;`);
  await db.exec(FIXTURE_SQL, database);
}

export interface MariaDbChecksums {
  tables: Record<string, string>;
  /** Names of views, triggers, routines and events, sorted: their presence after a restore. */
  objects: string[];
}

/** What must be equal between a database and its restored copy. */
export async function checksums(db: MariaDb, database: string): Promise<MariaDbChecksums> {
  const out = await db.exec(
    `CHECKSUM TABLE ${FIXTURE_TABLES.map((t) => `\`${t}\``).join(', ')} EXTENDED;`,
    database,
  );
  const tables: Record<string, string> = {};
  for (const line of out.trim().split('\n')) {
    const [name = '', sum = ''] = line.split('\t');
    tables[name.slice(name.indexOf('.') + 1)] = sum;
  }
  const literal = sqlString(database);
  const objects = await db.exec(
    [
      `SELECT CONCAT('view:', TABLE_NAME) FROM information_schema.VIEWS WHERE TABLE_SCHEMA = ${literal}`,
      `UNION ALL SELECT CONCAT('trigger:', TRIGGER_NAME) FROM information_schema.TRIGGERS WHERE TRIGGER_SCHEMA = ${literal}`,
      `UNION ALL SELECT CONCAT(LOWER(ROUTINE_TYPE), ':', ROUTINE_NAME) FROM information_schema.ROUTINES WHERE ROUTINE_SCHEMA = ${literal}`,
      `UNION ALL SELECT CONCAT('event:', EVENT_NAME) FROM information_schema.EVENTS WHERE EVENT_SCHEMA = ${literal};`,
    ].join(' '),
  );
  return { tables, objects: objects.trim() ? objects.trim().split('\n').sort() : [] };
}
