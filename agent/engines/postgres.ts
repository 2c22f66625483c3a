// PostgreSQL: pg_dump as plain SQL, so psql restores it into a fresh database owned by whoever restores it — here a
// role allowed to create databases, which owns (and so may drop) only the scratch databases it made.

import { randomBytes } from 'node:crypto';
import { z } from 'zod';
import { nameSchema } from '../../core/protocol.js';
import { ClientCommandFilter, type CommandRule, firstByte } from './client-commands.js';
import { finalText } from './dump-mark.js';
import {
  absolutePathSchema,
  commonTargetFields,
  type DumpCommand,
  type DumpSecrets,
  type Engine,
  hostSchema,
  portSchema,
  userSchema,
} from './engine.js';
import {
  commonRestoreFields,
  type RestoreDialect,
  type RestoreEngine,
  type RestoreStep,
  refineRestore,
  restoreSettings,
} from './restore-engine.js';

const postgresRestoreSchema = z.strictObject({
  ...commonRestoreFields,
  /** A role with CREATEDB and nothing else (see the grants in docs/restore.md); never the backup's role. */
  user: userSchema,
  passwordFile: absolutePathSchema.optional(),
  /** Where CREATE DATABASE and DROP DATABASE are run from. */
  maintenanceDatabase: nameSchema.default('postgres'),
});

export const postgresTargetSchema = z
  .strictObject({
    ...commonTargetFields,
    engine: z.literal('postgres'),
    host: hostSchema.default('127.0.0.1'),
    port: portSchema.default(5432),
    user: userSchema,
    restore: postgresRestoreSchema.optional(),
  })
  .superRefine(refineRestore);
export type PostgresTarget = z.infer<typeof postgresTargetSchema>;

// --no-owner/--no-privileges: the roles of the source need not exist where it is restored; the restoring role owns
// everything. --no-password: fail at once rather than wait for a prompt nobody answers.
const DUMP_OPTIONS = ['--format=plain', '--no-owner', '--no-privileges', '--no-password', '--encoding=UTF8'];

/** libpq only takes a regular file as PGPASSFILE, so the password travels in the child's environment. */
function environment(secrets: DumpSecrets): Record<string, string> {
  const env: Record<string, string> = { PGCONNECT_TIMEOUT: '30' };
  if (secrets.password !== undefined) env.PGPASSWORD = secrets.password;
  return env;
}

const quote = (name: string) => `"${name.replace(/"/g, '""')}"`;
// Query output: fields split by the unit separator, rows ended by NUL, which no identifier or text value holds.
const FIELD = '\u001f';
const RECORD = '\u0000';

const dialect: RestoreDialect = {
  listTables: [
    'SELECT n.nspname, c.relname FROM pg_catalog.pg_class c',
    'JOIN pg_catalog.pg_namespace n ON n.oid = c.relnamespace',
    "WHERE c.relkind IN ('r', 'p') AND n.nspname <> 'information_schema' AND n.nspname NOT LIKE 'pg\\_%'",
    'ORDER BY 1, 2;',
  ].join(' '),
  // ONLY: a table's own rows, as pg_dump's COPY holds them, not its inheritors' or partitions'.
  countRows: (tables) =>
    tables.map((parts) => `SELECT count(*) FROM ONLY ${parts.map(quote).join('.')};`).join('\n'),
  checkQuery: (sql) => sql,
  rows: (stdout) =>
    stdout
      .split(RECORD)
      .filter((record) => record.trim() !== '')
      .map((record) => record.replace(/^\n/, '').split(FIELD)),
};

const BACKSLASH = 0x5c;
const DOT = 0x2e;
const COPY = Buffer.from('COPY ');
const RESTRICT = /^\s*\\(?:un)?restrict(?:\s|$)/;

/**
 * psql's meta-commands: backslash lines outside COPY data, refused but for pg_dump's own `\restrict` and
 * `\unrestrict`, which are dropped (psql already runs restricted under the agent's own key). pg_dump's only COPY is
 * `COPY <name> (…) FROM stdin;` at a line's start, its data ending at a line `\.`; inside it a line may start `\N`
 * (a NULL) or `\\`, which is data. Made fresh per restore: it keeps whether it is in COPY data.
 */
function metaCommands(): CommandRule {
  let copying = false;
  return {
    judge(opening, whole) {
      if (copying) {
        if (whole && opening[0] === BACKSLASH && opening[1] === DOT && opening.length === 2) copying = false;
        return 'pass';
      }
      if (opening.subarray(0, COPY.length).equals(COPY)) {
        copying = true;
        return 'pass';
      }
      if (firstByte(opening) !== BACKSLASH) return 'pass';
      if (RESTRICT.test(opening.toString('latin1'))) return 'drop';
      return { refuse: 'a psql meta-command' };
    },
  };
}

const restore: RestoreEngine<PostgresTarget> = {
  dialect,
  filters: () => [new ClientCommandFilter(metaCommands())],
  steps(target, secrets, scratch) {
    const settings = restoreSettings(target);
    // Every psql reads `\restrict <key>` first: restricted, it runs no meta-command (\!, \copy, \i, …) but an
    // \unrestrict with this key, made fresh for each restore and written nowhere else.
    const preamble = `\\restrict ${randomBytes(32).toString('hex')}\n`;
    const psql = (database: string, extra: string[], input?: string): RestoreStep => ({
      file: settings.toolPath ?? 'psql',
      // -X: no ~/.psqlrc; ON_ERROR_STOP: the first failed statement ends psql with a non-zero exit.
      args: [
        '-X',
        '--quiet',
        '--no-password',
        `--host=${target.host}`,
        `--port=${target.port}`,
        `--username=${settings.user}`,
        `--dbname=${database}`,
        '--set=ON_ERROR_STOP=1',
        ...extra,
      ],
      env: environment(secrets),
      secretFiles: [],
      preamble,
      ...(input !== undefined && { input }),
    });
    const maintenance = settings.maintenanceDatabase;
    return {
      // template0: nothing a site added to template1 gets in the way of the dump's own objects.
      create: psql(
        maintenance,
        [],
        `CREATE DATABASE ${quote(scratch)} TEMPLATE template0 ENCODING 'UTF8';\n`,
      ),
      // One transaction: nothing is committed until psql reads the end of its input, which the restore holds back
      // until the bytes are proven (a mismatch kills psql first, so the transaction rolls back).
      restore: psql(scratch, ['--single-transaction']),
      query: (sql) =>
        psql(
          scratch,
          ['--no-align', '--tuples-only', `--field-separator=${FIELD}`, '--record-separator-zero'],
          sql,
        ),
      // FORCE: a session left connected to the scratch database must not keep it alive.
      drop: {
        kind: 'tool',
        step: psql(maintenance, [], `DROP DATABASE IF EXISTS ${quote(scratch)} WITH (FORCE);\n`),
      },
    };
  },
};

export const postgres: Engine<PostgresTarget> = {
  // pg_dump's `-- PostgreSQL database dump complete`, then `--` and a blank line; since the releases of August 2025
  // (15.14, 16.10, 17.6, …) also `\unrestrict <key>` and a blank line, closing the `\restrict` its dump opens with.
  mark: finalText(
    '`-- PostgreSQL database dump complete`',
    /\.-- PostgreSQL database dump complete\.--\.\.(\\unrestrict [A-Za-z0-9]+\.\.)?$/,
  ),
  dumpCommand(target: PostgresTarget, secrets: DumpSecrets): DumpCommand {
    return {
      file: target.toolPath ?? 'pg_dump',
      args: [
        `--host=${target.host}`,
        `--port=${target.port}`,
        `--username=${target.user}`,
        `--dbname=${target.database}`,
        ...DUMP_OPTIONS,
      ],
      env: environment(secrets),
      secretFiles: [],
    };
  },
  restore,
};
