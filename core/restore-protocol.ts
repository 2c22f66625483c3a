// The restore half of the agent's wire protocol: restore one backup into a scratch database, and the restore's
// status — what it read, what it restored, how long recovery took, what the validation found.

import { z } from 'zod';
import { binlogFileSchema, idSchema, JOB_STATES, nameSchema } from './protocol.js';

/** Cloud Storage's encodings: base64 of the 4-byte CRC32C and of the 16-byte MD5. */
const crc32cSchema = z.string().regex(/^[A-Za-z0-9+/]{6}==$/, 'must be a base64 CRC32C');
const md5Schema = z.string().regex(/^[A-Za-z0-9+/]{22}==$/, 'must be a base64 MD5');

/** An object the agent reads through a signed URL, as Cloud Storage keeps it: every byte is counted and hashed. */
const expectedSchema = z.strictObject({ size: z.int().nonnegative(), crc32c: crc32cSchema, md5: md5Schema });

/** One shipped binary log to replay: its object (`…/binlog/<database>/<serverId>/<file>.zst[.age]`) and its URL. */
const replayLogSchema = z.strictObject({
  objectName: z.string().min(1).max(1024),
  /** A short-lived V4 signed GET URL for exactly this object. Never logged. */
  downloadUrl: z.url({ protocol: /^https?$/ }),
  expected: expectedSchema,
});

/**
 * After the full backup is restored: its database's binary logs replayed into the scratch database (MySQL targets
 * only), from the backup's own position in the first log up to the moment `stopAt`.
 */
export const replayRequestSchema = z.strictObject({
  /** The database the logs were written to: only its changes are replayed, into the scratch database. */
  database: nameSchema,
  /** The backup's signed start position in the first log. */
  startPosition: z.int().nonnegative(),
  /** Events stamped at this second or later are not applied (the logs' times have whole seconds). */
  stopAt: z.iso.datetime(),
  /** In order, the first holding the backup's position; at most a few days of logs. */
  logs: z.array(replayLogSchema).min(1).max(10_000),
});
export type ReplayRequest = z.infer<typeof replayRequestSchema>;

export const restoreRequestSchema = z.strictObject({
  /** The function's run, so both sides' log lines can be joined. */
  runId: idSchema,
  targetId: nameSchema,
  /** The backup, e.g. `nightly/HospitalDB_20261126.sql.gz`: its extension tells how it is compressed. */
  objectName: z.string().min(1).max(1024),
  /** A short-lived V4 signed GET URL for exactly this object: the agent's only way in. Never logged. */
  downloadUrl: z.url({ protocol: /^https?$/ }),
  /** The object as Cloud Storage keeps it: every byte read is counted and hashed against these. */
  expected: expectedSchema,
  /** One of the target's allowed scratch databases; the first of them when omitted. */
  scratchDatabase: nameSchema.optional(),
  /** Leave the scratch database in place after the restore (not after a restore that broke off). */
  keep: z.boolean().default(false),
  /** Restore to a moment: the logs to replay after the backup, before the validation. */
  replay: replayRequestSchema.optional(),
});
export type RestoreRequest = z.infer<typeof restoreRequestSchema>;
export type RestoreRequestInput = z.input<typeof restoreRequestSchema>;

export const restoreAcceptedSchema = z.strictObject({
  jobId: idSchema,
  runId: idSchema,
  targetId: nameSchema,
  scratchDatabase: nameSchema,
});
export type RestoreAccepted = z.infer<typeof restoreAcceptedSchema>;

/** A table (or collection) of the restored database, and its rows counted there. */
export const tableReportSchema = z.strictObject({
  name: z.string(),
  rows: z.int().nonnegative(),
});
export type TableReport = z.infer<typeof tableReportSchema>;

/** One of the admin's checks from agent.json, run against the scratch database. */
export const checkReportSchema = z.strictObject({
  name: z.string(),
  ok: z.boolean(),
  /** The query's first value as the tool printed it (shortened). */
  value: z.string().optional(),
  /** What the value had to be, e.g. `>= 1`. */
  expected: z.string(),
  error: z.string().optional(),
});
export type CheckReport = z.infer<typeof checkReportSchema>;

/** What became of the scratch database: never made, still there (running, or a drop that failed), kept, dropped. */
const SCRATCH_STATES = ['none', 'created', 'kept', 'dropped'] as const;

const RESTORE_STEPS = ['restoring', 'replaying', 'validating', 'dropping'] as const;

/** What a replay reached: the logs applied whole, and the last transaction committed (as the log stamps it). */
export const replayReportSchema = z.strictObject({
  stopAt: z.iso.datetime(),
  /** Logs read to their end (or to the moment) without an error. */
  logsReplayed: z.int().nonnegative(),
  logsTotal: z.int().nonnegative(),
  /** The last transaction applied: its commit event's time (whole seconds), log file and end position. */
  lastTransaction: z
    .strictObject({ at: z.iso.datetime(), file: binlogFileSchema, endPosition: z.int().nonnegative() })
    .optional(),
});
export type ReplayReport = z.infer<typeof replayReportSchema>;

export const restoreStatusSchema = z.strictObject({
  jobId: idSchema,
  runId: idSchema,
  targetId: nameSchema,
  objectName: z.string(),
  scratchDatabase: nameSchema,
  keep: z.boolean(),
  state: z.enum(JOB_STATES),
  /** Where a running restore is. */
  step: z.enum(RESTORE_STEPS).optional(),
  /** Bytes of the object read so far. */
  bytesDownloaded: z.int().nonnegative(),
  /** Bytes of the decompressed dump handed to the restore tool. */
  bytesRestored: z.int().nonnegative(),
  queuedAt: z.iso.datetime().optional(),
  startedAt: z.iso.datetime().optional(),
  /** Once started: when the agent stops the restore if it still runs (its target's maxDurationMinutes). */
  deadline: z.iso.datetime().optional(),
  endedAt: z.iso.datetime().optional(),
  /** The measured recovery time: from the first byte asked for to the restored database validated. */
  durationMs: z.int().nonnegative().optional(),
  tables: z.array(tableReportSchema),
  checks: z.array(checkReportSchema),
  /** A restore to a moment: how far its replay of the binary logs got. */
  replay: replayReportSchema.optional(),
  scratch: z.enum(SCRATCH_STATES),
  /** Where the scratch database is once made, as an admin finds it: its file, or the database and its server. */
  location: z.string().optional(),
  /** `decompress` (zstd), `restore`, and the validation queries' `query`; null while running or when killed. */
  exitCodes: z.record(z.string(), z.int().nullable()),
  errorCode: z.string().optional(),
  errorMessage: z.string().optional(),
  /** The tools' last stderr lines, secrets redacted. */
  stderrTail: z.array(z.string()),
});
export type RestoreStatus = z.infer<typeof restoreStatusSchema>;

/** Drop a scratch database a restore kept (`keep`): only one of the target's allowed ones that the agent kept. */
export const dropScratchRequestSchema = z.strictObject({
  runId: idSchema,
  targetId: nameSchema,
  /** The target's first allowed scratch database when omitted, as for a restore. */
  scratchDatabase: nameSchema.optional(),
});
export type DropScratchRequest = z.infer<typeof dropScratchRequestSchema>;

/** The command that drops a kept scratch database, as the restore that kept it and the refusal to overwrite it say. */
export function dropScratchCommand(targetId: string, scratchDatabase: string): string {
  return `db-backup drop-scratch ${targetId} --scratch ${scratchDatabase}`;
}
