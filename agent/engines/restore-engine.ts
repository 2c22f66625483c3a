// What every engine adds for restores: its `restore` settings in agent.json, the admin's checks, the steps of a
// restore as data — create the scratch database, feed it the dump, query it, drop it — and the filters the dump
// passes on its way in.

import type { Transform } from 'node:stream';
import { z } from 'zod';
import { BackupError } from '../../core/errors.js';
import { nameSchema } from '../../core/protocol.js';
import { absolutePathSchema, type DumpCommand, type DumpSecrets, jobLimitFields } from './engine.js';
import type { ReplayLog } from './mysql-replay.js';

/** A tool run for a restore: a dump command's shape, plus what it reads on stdin (the dump itself when absent). */
export interface RestoreStep extends DumpCommand {
  input?: string;
  /** Written to stdin before anything else (the input, or the dump): psql's own restricted mode, entered first. */
  preamble?: string;
}

/** How a scratch database goes away: a statement run by a tool, or (sqlite) its files removed. */
export type DropStep = { kind: 'tool'; step: RestoreStep } | { kind: 'files'; paths: string[] };

/** A table (or collection) name as its parts, e.g. ['public', 'patients']; shown joined with dots. */
export type TableParts = readonly string[];

export interface RestoreSteps {
  /** Makes the empty scratch database, failing when it exists; null where the restore makes it (sqlite). */
  create: RestoreStep | null;
  /** Reads the decompressed dump on stdin into the scratch database. */
  restore: RestoreStep;
  /** Runs `query` against the scratch database. */
  query(query: string): RestoreStep;
  drop: DropStep;
  /** Turns one of the source's change logs into statements for `restore` (MySQL's binary log); absent elsewhere. */
  replay?(log: ReplayLog): RestoreStep;
}

/** What an engine knows of the database it restored into: how to list it and count it, and read its answers. */
export interface RestoreDialect {
  /** A query printing one row per table of the scratch database, its name's parts as fields. */
  listTables: string;
  /** A query printing one row per table, in order, holding its row count. */
  countRows(tables: readonly TableParts[]): string;
  /** An admin's check as a query that prints its value (SQL as it is; a mongosh expression printed). */
  checkQuery(query: string): string;
  /** The rows a query tool printed, each a list of fields. */
  rows(stdout: string): string[][];
}

/** The expected value of a check: at least one bound or pattern, all of which must hold. */
export const expectationSchema = z
  .strictObject({
    equals: z.union([z.string(), z.number()]).optional(),
    atLeast: z.number().optional(),
    atMost: z.number().optional(),
    /** A regular expression the value must match. */
    matches: z
      .string()
      .refine((source) => {
        try {
          new RegExp(source);
          return true;
        } catch {
          return false;
        }
      }, 'must be a valid regular expression')
      .optional(),
  })
  .refine((expect) => Object.values(expect).some((value) => value !== undefined), {
    message: 'must say what the value must be: equals, atLeast, atMost or matches',
  });
export type Expectation = z.infer<typeof expectationSchema>;

/** The admin's own check: a query in the engine's language, and what its first value must be. */
export const checkSchema = z.strictObject({
  name: z.string().min(1).max(100),
  query: z.string().min(1).max(4000),
  expect: expectationSchema,
});
export type Check = z.infer<typeof checkSchema>;

/** The `restore` fields every engine has; each engine adds its connection's. */
export const commonRestoreFields = {
  /** The only databases a restore may write; the first is the default. Never the source database. */
  scratchDatabases: z
    .array(nameSchema)
    .min(1, 'must name at least one scratch database')
    .refine((names) => new Set(names).size === names.length, 'must not repeat a name'),
  checks: z.array(checkSchema).max(50).default([]),
  /** Overrides the restore tool found on PATH. */
  toolPath: absolutePathSchema.optional(),
  ...jobLimitFields,
};

export type CommonRestore = z.infer<z.ZodObject<typeof commonRestoreFields>>;

/** An engine's restore half, beside its dump builder; T is the engine's target with its `restore` settings. */
export interface RestoreEngine<T> {
  steps(target: T, secrets: DumpSecrets, scratch: string): RestoreSteps;
  dialect: RestoreDialect;
  /**
   * What the dump passes through on its way to the restore tool, made fresh for each restore, in order: the refusal
   * of the tool's client commands (client-commands.ts) first, then any rewriting. One that errors stops the restore.
   */
  filters(): Transform[];
  /** What a replayed log passes through instead (`filters` judge dumps), where the engine replays logs. */
  replayFilters?(): Transform[];
}

/** A target's restore settings; RESTORE_NOT_CONFIGURED when agent.json gives it none. */
export function restoreSettings<R>(target: { id: string; restore?: R }): R {
  if (target.restore === undefined) {
    throw new BackupError(
      'RESTORE_NOT_CONFIGURED',
      `target ${target.id} has no restore settings in agent.json`,
    );
  }
  return target.restore;
}

/**
 * The checks no single field can make: a scratch database is never the source itself, and the restore never
 * uses the backup's credentials (a user that may create and drop databases must not be the one that reads them).
 */
export function refineRestore(
  target: { database: string; user?: string; passwordFile?: string; restore?: CommonRestore },
  ctx: z.RefinementCtx,
): void {
  const restore = target.restore as (CommonRestore & { user?: string; passwordFile?: string }) | undefined;
  if (!restore) return;
  const issue = (path: (string | number)[], message: string) =>
    ctx.addIssue({ code: 'custom', path: ['restore', ...path], message });
  restore.scratchDatabases.forEach((name, index) => {
    if (name === target.database) issue(['scratchDatabases', index], 'must not be the source database');
  });
  if (restore.user !== undefined && restore.user === target.user) {
    issue(
      ['user'],
      "must not be the backup's user: restores need their own, limited to the scratch databases",
    );
  }
  if (restore.passwordFile !== undefined && restore.passwordFile === target.passwordFile) {
    issue(['passwordFile'], "must not be the backup's password file");
  }
}
