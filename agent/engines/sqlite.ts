// SQLite: the sqlite3 shell's .dump of one database file, opened read-only; restored by the same shell into a new
// file in the scratch folder, which is the scratch database (dropped by deleting it).

import { join } from 'node:path';
import { z } from 'zod';
import { ClientCommandFilter, type CommandRule } from './client-commands.js';
import { finalText } from './dump-mark.js';
import { absolutePathSchema, commonTargetFields, type DumpCommand, type Engine } from './engine.js';
import {
  commonRestoreFields,
  type RestoreDialect,
  type RestoreEngine,
  type RestoreStep,
  refineRestore,
  restoreSettings,
} from './restore-engine.js';

const sqliteRestoreSchema = z.strictObject({
  ...commonRestoreFields,
  /** Where scratch databases are made, as `<scratch>.sqlite`; only the agent should write there. */
  scratchDir: absolutePathSchema,
});

export const sqliteTargetSchema = z
  .strictObject({
    ...commonTargetFields,
    engine: z.literal('sqlite'),
    /** The database file. */
    path: absolutePathSchema,
    restore: sqliteRestoreSchema.optional(),
  })
  .superRefine(refineRestore)
  .superRefine((target, ctx) => {
    const dir = target.restore?.scratchDir;
    if (dir && target.restore?.scratchDatabases.some((name) => scratchFile(dir, name) === target.path)) {
      ctx.addIssue({
        code: 'custom',
        path: ['restore', 'scratchDir'],
        message: 'a scratch file would be the source',
      });
    }
  });
export type SqliteTarget = z.infer<typeof sqliteTargetSchema>;

function scratchFile(dir: string, scratch: string): string {
  return join(dir, `${scratch}.sqlite`);
}

const quote = (name: string) => `"${name.replace(/"/g, '""')}"`;
// Query output: fields split by the unit separator, rows by the record separator, so text with newlines stays whole.
const FIELD = '\u001f';
const RECORD = '\u001e';

const dialect: RestoreDialect = {
  listTables:
    "SELECT name FROM sqlite_schema WHERE type = 'table' AND name NOT LIKE 'sqlite\\_%' ESCAPE '\\' ORDER BY name;",
  countRows: (tables) => tables.map((parts) => `SELECT count(*) FROM ${quote(parts[0] ?? '')};`).join('\n'),
  checkQuery: (sql) => sql,
  rows: (stdout) =>
    stdout
      .split(RECORD)
      .filter((record) => record !== '' && record !== '\n')
      .map((record) => record.split(FIELD)),
};

/** sqlite3 runs a line as a dot-command when it starts with `.` (blanks before it make it SQL). */
const dotCommands: CommandRule = {
  judge: (opening) => (opening[0] === 0x2e ? { refuse: 'a sqlite3 dot-command' } : 'pass'),
};

const restore: RestoreEngine<SqliteTarget> = {
  dialect,
  filters: () => [new ClientCommandFilter(dotCommands)],
  steps(target, _secrets, scratch) {
    const settings = restoreSettings(target);
    const file = scratchFile(settings.scratchDir, scratch);
    // -init /dev/null keeps a ~/.sqliterc out; -bail makes the first error a non-zero exit; -safe refuses every
    // dot-command and SQL function that reaches outside the database (.system, .shell, ATTACH, writefile, …).
    const shell = (extra: string[], input?: string): RestoreStep => ({
      file: settings.toolPath ?? target.toolPath ?? 'sqlite3',
      args: ['-init', '/dev/null', '-bail', '-batch', '-safe', ...extra, file],
      env: {},
      secretFiles: [],
      ...(input !== undefined && { input }),
    });
    return {
      // The restore makes the file; the caller refuses a scratch file that exists already.
      create: null,
      restore: shell([]),
      // Read-only: a check can look at the restored data but never change it.
      query: (sql) => shell(['-readonly', '-noheader', '-separator', FIELD, '-newline', RECORD], sql),
      drop: { kind: 'files', paths: ['', '-journal', '-wal', '-shm'].map((suffix) => file + suffix) },
    };
  },
};

export const sqlite: Engine<SqliteTarget> = {
  // .dump's last line is `COMMIT;`. An error while reading the file (one that is not a database, a corrupt page) it
  // reports only inside the dump, as `/**** ERROR: … *****/` and a closing ROLLBACK, and still exits 0.
  mark: finalText('`COMMIT;` as its last line', /\.COMMIT;\.$/, [
    [
      /\/\*\*\*\* ERROR: ([ -~]{1,120}?) \*\*\*\*\*\/\.ROLLBACK; -- due to errors\.$/,
      ([, error]) => `it wrote ERROR: ${error} into the dump and rolled it back`,
    ],
    [
      /ROLLBACK;[^.]*\.$/,
      () => 'its dump ends with ROLLBACK: it met an error it reported only inside the dump',
    ],
  ]),
  // .dump runs inside one read transaction (a savepoint), so it is a consistent snapshot even while others write:
  // in WAL mode writers carry on, otherwise they wait for it. -bail turns an error it reports on stderr into a
  // non-zero exit (not one it writes into the dump: see the mark); -init /dev/null keeps a ~/.sqliterc out.
  dumpCommand(target: SqliteTarget): DumpCommand {
    return {
      file: target.toolPath ?? 'sqlite3',
      args: ['-init', '/dev/null', '-readonly', '-bail', target.path, '.dump'],
      env: {},
      secretFiles: [],
    };
  },
  restore,
};
