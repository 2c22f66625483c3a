// The table of every engine, and the schema of a target entry in agent.json (one variant per engine).

import { z } from 'zod';
import type { EngineName } from '../../core/formats.js';
import type { DumpCommand, DumpSecrets, Engine } from './engine.js';
import { mongodb, mongodbTargetSchema } from './mongodb.js';
import { mysql, mysqlTargetSchema } from './mysql.js';
import { postgres, postgresTargetSchema } from './postgres.js';
import type { RestoreDialect, RestoreSteps } from './restore-engine.js';
import { sqlite, sqliteTargetSchema } from './sqlite.js';

// biome-ignore lint/suspicious/noExplicitAny: each entry is checked against its own target type where it is defined
export const ENGINE_TABLE = { mysql, mongodb, postgres, sqlite } satisfies Record<EngineName, Engine<any>>;

export const targetConfigSchema = z.discriminatedUnion('engine', [
  mysqlTargetSchema,
  mongodbTargetSchema,
  postgresTargetSchema,
  sqliteTargetSchema,
]);
export type TargetConfig = z.infer<typeof targetConfigSchema>;
/** A target as written in agent.json, before defaults are filled in. */
export type TargetInput = z.input<typeof targetConfigSchema>;

/** The engine of a target with its own type, so a target is never built by another engine's builder. */
export function dumpCommandFor(target: TargetConfig, password?: string): DumpCommand {
  const secrets = password === undefined ? {} : { password };
  switch (target.engine) {
    case 'mysql':
      return mysql.dumpCommand(target, secrets);
    case 'mongodb':
      return mongodb.dumpCommand(target, secrets);
    case 'postgres':
      return postgres.dumpCommand(target, secrets);
    case 'sqlite':
      return sqlite.dumpCommand(target, secrets);
  }
}

/** A target's restore steps into `scratch`, built by its own engine; RESTORE_NOT_CONFIGURED without settings. */
export function restoreStepsFor(target: TargetConfig, secrets: DumpSecrets, scratch: string): RestoreSteps {
  switch (target.engine) {
    case 'mysql':
      return mysql.restore.steps(target, secrets, scratch);
    case 'mongodb':
      return mongodb.restore.steps(target, secrets, scratch);
    case 'postgres':
      return postgres.restore.steps(target, secrets, scratch);
    case 'sqlite':
      return sqlite.restore.steps(target, secrets, scratch);
  }
}

export function dialectFor(engine: EngineName): RestoreDialect {
  return ENGINE_TABLE[engine].restore.dialect;
}

export type { DumpCommand, DumpSecrets, Engine } from './engine.js';
export type { MongodbTarget } from './mongodb.js';
export type { MysqlTarget } from './mysql.js';
export { mysqlTargetSchema } from './mysql.js';
export type { PostgresTarget } from './postgres.js';
export type {
  Check,
  DropStep,
  Expectation,
  RestoreDialect,
  RestoreStep,
  RestoreSteps,
  TableParts,
} from './restore-engine.js';
export type { SqliteTarget } from './sqlite.js';
