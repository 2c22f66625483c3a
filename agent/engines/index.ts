// The table of every engine, and the schema of a target entry in agent.json (one variant per engine).

import { z } from 'zod';
import type { EngineName } from '../../core/formats.js';
import type { DumpMark } from './dump-mark.js';
import type { DumpCommand, DumpOptions, DumpSecrets, Engine } from './engine.js';
import { mongodb, mongodbTargetSchema } from './mongodb.js';
import { mysql, mysqlTargetSchema } from './mysql.js';
import { postgres, postgresTargetSchema } from './postgres.js';
import type { RestoreEngine, RestoreSteps } from './restore-engine.js';
import { sqlite, sqliteTargetSchema } from './sqlite.js';

export const targetConfigSchema = z.discriminatedUnion('engine', [
  mysqlTargetSchema,
  mongodbTargetSchema,
  postgresTargetSchema,
  sqliteTargetSchema,
]);
export type TargetConfig = z.infer<typeof targetConfigSchema>;
/** A target as written in agent.json, before defaults are filled in. */
export type TargetInput = z.input<typeof targetConfigSchema>;

type TargetOf<E extends EngineName> = Extract<TargetConfig, { engine: E }>;

/** Every engine, under its name: a missing one is a compile error, and each serves only its own targets. */
const ENGINES: { [E in EngineName]: Engine<TargetOf<E>> } = { mysql, mongodb, postgres, sqlite };

/** The engine of a target, typed by it, so a target is never built by another engine's builder. */
function engineOf<E extends EngineName>(target: TargetOf<E>): Engine<TargetOf<E>> {
  return ENGINES[target.engine as E];
}

export function dumpCommandFor(target: TargetConfig, password?: string, options?: DumpOptions): DumpCommand {
  return engineOf(target).dumpCommand(target, password === undefined ? {} : { password }, options);
}

/** What a complete dump of the target ends with. */
export function dumpMarkFor(target: TargetConfig): DumpMark {
  return engineOf(target).mark;
}

/** A target's restore steps into `scratch`, built by its own engine; RESTORE_NOT_CONFIGURED without settings. */
export function restoreStepsFor(target: TargetConfig, secrets: DumpSecrets, scratch: string): RestoreSteps {
  return engineOf(target).restore.steps(target, secrets, scratch);
}

/** How a dump of `engine` is filtered on its way to the restore tool, and the restored database read. */
export function restoreEngineFor(
  engine: EngineName,
): Pick<RestoreEngine<unknown>, 'dialect' | 'filters' | 'replayFilters'> {
  return ENGINES[engine].restore;
}

export type { DumpCommand, DumpOptions, DumpSecrets } from './engine.js';
export type { MysqlTarget } from './mysql.js';
export { mysqlTargetSchema } from './mysql.js';
export type {
  Check,
  Expectation,
  RestoreDialect,
  RestoreStep,
  RestoreSteps,
} from './restore-engine.js';
