// The one small interface every engine implements: its agent.json target fields, a pure dump command builder, its
// dump's mark of completion, and its restore (restore-engine.ts) beside them. Each engine is one file (MongoDB's and
// MySQL's parts beside it, prefixed with its name); index.ts lists them all.

import { z } from 'zod';
import { DEFAULT_MAX_DURATION_MINUTES } from '../../core/job-deadline.js';
import { nameSchema } from '../../core/protocol.js';
import { recipientSchema } from '../encryption/recipients.js';
import type { DumpMark } from './dump-mark.js';
import type { RestoreEngine } from './restore-engine.js';

/** A dump tool's invocation as data: run without a shell, its stdout is the dump. */
export interface DumpCommand {
  file: string;
  args: string[];
  /** The child's whole environment beyond PATH/HOME/LANG (the agent's own environment is not inherited). */
  env: Record<string, string>;
  /**
   * Contents handed to the child as already-open descriptors 3, 4, …, named in `args` as `/dev/fd/3`, … —
   * how a password reaches a tool that only reads it from a file, without the file staying on disk.
   */
  secretFiles: string[];
}

export interface DumpSecrets {
  password?: string;
}

export interface DumpOptions {
  /** Record in the dump where it starts in the server's change log (MySQL's binary log); engines without one ignore it. */
  startPoint?: boolean;
}

export interface Engine<T> {
  dumpCommand(target: T, secrets: DumpSecrets, options?: DumpOptions): DumpCommand;
  /** What the dump tool writes at the end of a complete dump, checked before anything is finalized. */
  mark: DumpMark;
  restore: RestoreEngine<T>;
}

export const absolutePathSchema = z.string().startsWith('/', 'must be an absolute path');

/** How long a job (a backup, or a restore) may run, and go without moving a byte, before it is stopped. */
export const jobLimitFields = {
  /** A job running longer is stopped (JOB_TIMEOUT): a hung tool never blocks later nights. */
  maxDurationMinutes: z
    .number()
    .positive()
    .max(7 * 24 * 60)
    .default(DEFAULT_MAX_DURATION_MINUTES),
  /**
   * A job whose source (the dump tool, or the download) gives no byte for this long is stopped (JOB_STALLED); time
   * it waits on what is downstream of it (the upload, the restore tool) does not count.
   */
  stallMinutes: z
    .number()
    .positive()
    .max(24 * 60)
    .default(15),
};

/** Fields every target has; each engine spreads them into its own strict object. */
export const commonTargetFields = {
  id: nameSchema,
  /** The database name: names the object, and is what is dumped (for sqlite, only the name). */
  database: nameSchema,
  /** A 0600 file holding the password, read at job time so a rotated password needs no restart. */
  passwordFile: absolutePathSchema.optional(),
  /** Overrides the dump tool found on PATH. */
  toolPath: absolutePathSchema.optional(),
  /** age recipients this target's backups are encrypted for, in place of agent.json's `recipients`. */
  recipients: z.array(recipientSchema).min(1).optional(),
  ...jobLimitFields,
};

// Values reach argv only in `--option=value` form, so none can read as an option; the patterns keep them printable.
export const hostSchema = z.string().regex(/^[A-Za-z0-9.:_-]{1,253}$/, 'must be a host name or IP address');
export const portSchema = z.int().min(1).max(65535);
export const userSchema = z
  .string()
  .regex(/^[A-Za-z0-9._@$-]{1,128}$/, 'must be 1 to 128 letters, digits or "._@$-"');

/** The path a child sees for the n-th entry of `secretFiles`. */
export function secretFilePath(index: number): string {
  return `/dev/fd/${3 + index}`;
}
