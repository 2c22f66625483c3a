// MySQL and MariaDB: mysqldump (or mariadb-dump) of one database, restorable into any database name, and its
// restore with the mysql (mariadb) client into a scratch database as a user limited to those.

import { z } from 'zod';
import { ClientCommandFilter, type CommandRule, firstByte } from './client-commands.js';
import { finalText } from './dump-mark.js';
import {
  absolutePathSchema,
  commonTargetFields,
  type DumpCommand,
  type DumpOptions,
  type DumpSecrets,
  type Engine,
  hostSchema,
  portSchema,
  secretFilePath,
  userSchema,
} from './engine.js';
import { BINLOG_SETTINGS_SQL } from './mysql-binlog.js';
import { DefinerFilter } from './mysql-definers.js';
import { binlogReplayCommand, replayRule } from './mysql-replay.js';
import {
  commonRestoreFields,
  type RestoreDialect,
  type RestoreEngine,
  type RestoreStep,
  refineRestore,
  restoreSettings,
  type TableParts,
} from './restore-engine.js';

const mysqlRestoreSchema = z.strictObject({
  ...commonRestoreFields,
  /** Allowed to create and drop only the scratch databases (see the grants in docs/restore.md); never the backup's user. */
  user: userSchema,
  passwordFile: absolutePathSchema.optional(),
  /** mariadb-binlog, which turns shipped binary logs into statements for a restore to a moment; found on PATH. */
  binlogToolPath: absolutePathSchema.optional(),
});

export const mysqlTargetSchema = z
  .strictObject({
    ...commonTargetFields,
    engine: z.literal('mysql'),
    host: hostSchema.default('127.0.0.1'),
    port: portSchema.default(3306),
    user: userSchema,
    /** A unix socket path; when set it is used instead of host and port. */
    socket: absolutePathSchema.optional(),
    /** The mysql (mariadb) client that reads the server's binary-log settings before each dump; `mysql` on PATH. */
    clientPath: absolutePathSchema.optional(),
    /** mariadb-binlog, which reads a closed binary log from the server to ship it; `mariadb-binlog` on PATH. */
    binlogToolPath: absolutePathSchema.optional(),
    restore: mysqlRestoreSchema.optional(),
  })
  .superRefine(refineRestore);
export type MysqlTarget = z.infer<typeof mysqlTargetSchema>;

// No --databases: the dump then carries no CREATE DATABASE/USE, so it restores into a database of any name.
// --no-tablespaces: a single database needs none, and MySQL 8 otherwise demands the PROCESS privilege.
const DUMP_OPTIONS = [
  '--single-transaction',
  '--quick',
  '--routines',
  '--triggers',
  '--events',
  '--hex-blob',
  '--no-tablespaces',
  '--default-character-set=utf8mb4',
];

/**
 * --master-data=2 (the option MariaDB's mysqldump takes; Oracle's 8.0.26 and later call it --source-data) writes the
 * binary-log file and position of the --single-transaction snapshot as a comment near the dump's start. MariaDB takes
 * them from that transaction itself (Binlog_snapshot_file), so it needs no FLUSH TABLES WITH READ LOCK and no privilege
 * beyond the backup user's; without binary logging the dump fails, so it is asked for only where the server keeps one.
 */
const START_POINT_OPTION = '--master-data=2';

/** A [client] option file, handed over as a descriptor; option-file values are quoted to survive `#` and spaces. */
function optionFile(password: string): string {
  const escaped = password.replace(/\\/g, '\\\\').replace(/"/g, '\\"').replace(/\n/g, '\\n');
  return `[client]\npassword="${escaped}"\n`;
}

/** How any of the MySQL tools reaches the server as `user`, the password (if any) on fd 3. */
export function connect(target: MysqlTarget, user: string, secrets: DumpSecrets) {
  const secretFiles = secrets.password === undefined ? [] : [optionFile(secrets.password)];
  // --defaults-file must come first; it also keeps ~/.my.cnf and /etc/mysql out, so every run is the same.
  const defaults = secretFiles.length ? `--defaults-file=${secretFilePath(0)}` : '--no-defaults';
  const connection = target.socket
    ? ['--protocol=socket', `--socket=${target.socket}`]
    : ['--protocol=tcp', `--host=${target.host}`, `--port=${target.port}`];
  return { args: [defaults, ...connection, `--user=${user}`], secretFiles };
}

const quote = (name: string) => `\`${name.replace(/`/g, '``')}\``;

/** mysql --batch writes `\`, tab, newline and NUL inside values escaped. */
const unescapeBatch = (field: string) =>
  field.replace(/\\([\\tn0])/g, (_, c: string) => ({ t: '\t', n: '\n', '0': '\0' })[c] ?? c);

const dialect: RestoreDialect = {
  listTables:
    "SELECT TABLE_NAME FROM information_schema.TABLES WHERE TABLE_SCHEMA = DATABASE() AND TABLE_TYPE IN ('BASE TABLE', 'SYSTEM VERSIONED') ORDER BY TABLE_NAME;",
  countRows: (tables: readonly TableParts[]) =>
    tables.map((parts) => `SELECT COUNT(*) FROM ${quote(parts[0] ?? '')};`).join('\n'),
  checkQuery: (sql) => sql,
  rows: (stdout) =>
    stdout
      .split('\n')
      .filter((line) => line !== '')
      .map((line) => line.split('\t').map(unescapeBatch)),
};

const BACKSLASH = 0x5c;
const SYSTEM = /^\s*system(?:\s|;|$)/i;

/** The mysql client's own commands at a line's start: `\x` commands, and `system` (its shell). */
const clientCommands: CommandRule = {
  judge(opening) {
    const first = firstByte(opening);
    const command =
      first === BACKSLASH || ((first === 0x73 || first === 0x53) && SYSTEM.test(opening.toString('latin1')));
    return command ? { refuse: 'a mysql client command' } : 'pass';
  },
};

const restore: RestoreEngine<MysqlTarget> = {
  dialect,
  filters: () => [new ClientCommandFilter(clientCommands), new DefinerFilter()],
  replayFilters: () => [new ClientCommandFilter(replayRule(clientCommands)), new DefinerFilter()],
  steps(target, secrets, scratch) {
    const settings = restoreSettings(target);
    const { args, secretFiles } = connect(target, settings.user, secrets);
    // --sandbox refuses the client's commands that reach the file system or a shell (system, source, tee);
    // --binary-mode stops it reading any client command but DELIMITER from its input. Both are MariaDB's client's
    // (Debian's `mysql` is MariaDB's; Oracle's has no --sandbox and is refused at the first restore).
    const client = (extra: string[], input?: string): RestoreStep => ({
      file: settings.toolPath ?? 'mysql',
      args: [...args, '--default-character-set=utf8mb4', '--sandbox', '--binary-mode', ...extra],
      env: {},
      secretFiles,
      ...(input !== undefined && { input }),
    });
    return {
      create: client(['--batch'], `CREATE DATABASE ${quote(scratch)};\n`),
      // --one-database: statements for any other database (after a USE) are skipped, whatever the dump holds.
      restore: client(['--one-database', scratch]),
      query: (sql) => client(['--batch', '--skip-column-names', scratch], sql),
      drop: { kind: 'tool', step: client(['--batch'], `DROP DATABASE IF EXISTS ${quote(scratch)};\n`) },
      // Its output goes to `restore`: --one-database there also skips whatever the rewrite did not rename.
      replay: (log) => binlogReplayCommand(settings.binlogToolPath ?? 'mariadb-binlog', scratch, log),
    };
  },
};

/**
 * The client asking the server, as the backup user, whether it keeps binary logs and who it is: SHOW VARIABLES needs
 * no privilege, and names only the variables the server has (MariaDB has no server_uuid, MySQL no gtid_domain_id).
 */
export function binlogSettingsCommand(target: MysqlTarget, secrets: DumpSecrets): DumpCommand {
  return clientQuery(target, secrets, BINLOG_SETTINGS_SQL);
}

/** The client running `sql` as the backup user, its rows tab-separated without column names. */
export function clientQuery(target: MysqlTarget, secrets: DumpSecrets, sql: string): DumpCommand {
  const { args, secretFiles } = connect(target, target.user, secrets);
  return {
    file: target.clientPath ?? 'mysql',
    args: [...args, '--batch', '--skip-column-names', `--execute=${sql}`],
    env: {},
    secretFiles,
  };
}

export const mysql: Engine<MysqlTarget> = {
  // mysqldump's last line, `-- Dump completed on <date>` (`-- Dump completed` under --skip-dump-date); the hour is
  // space-padded, not zero-padded (`2026-12-08  0:10:09` before 10 o'clock). --compact and
  // --skip-comments leave it out: the agent passes neither, a target cannot add options, and --no-defaults (or the
  // agent's own --defaults-file) keeps an option file from adding them.
  mark: finalText(
    '`-- Dump completed` as its last line',
    /\.-- Dump completed( on \d{4}-\d\d-\d\d [ \d]\d:\d\d:\d\d)?\.$/,
  ),
  dumpCommand(target: MysqlTarget, secrets: DumpSecrets, options: DumpOptions = {}): DumpCommand {
    const { args, secretFiles } = connect(target, target.user, secrets);
    const startPoint = options.startPoint ? [START_POINT_OPTION] : [];
    return {
      file: target.toolPath ?? 'mysqldump',
      args: [...args, ...DUMP_OPTIONS, ...startPoint, target.database],
      env: {},
      secretFiles,
    };
  },
  restore,
};
