// SQLite: the sqlite3 shell's .dump of one database file, opened read-only.

import { z } from 'zod';
import { absolutePathSchema, commonTargetFields, type DumpCommand, type Engine } from './engine.js';

export const sqliteTargetSchema = z.strictObject({
  ...commonTargetFields,
  engine: z.literal('sqlite'),
  /** The database file. */
  path: absolutePathSchema,
});
export type SqliteTarget = z.infer<typeof sqliteTargetSchema>;

export const sqlite: Engine<SqliteTarget> = {
  name: 'sqlite',
  targetSchema: sqliteTargetSchema,
  // .dump runs inside one read transaction (a savepoint), so it is a consistent snapshot even while others write:
  // in WAL mode writers carry on, otherwise they wait for it. -bail turns any error into a non-zero exit;
  // -init /dev/null keeps a ~/.sqliterc out of the dump.
  dumpCommand(target: SqliteTarget): DumpCommand {
    return {
      file: target.toolPath ?? 'sqlite3',
      args: ['-init', '/dev/null', '-readonly', '-bail', target.path, '.dump'],
      env: {},
      secretFiles: [],
    };
  },
};
