// The agent's wire protocol — a run of ordered jobs, a job's status, a run's status, an error — as schemas both
// sides validate against. Restores have their own schemas in restore-protocol.ts; their paths are here.

import { z } from 'zod';
import { compressionSchema } from './compression.js';
import { isValidName, NAME_RULE } from './validate-name.js';

export const AGENT_PATHS = {
  runs: '/v1/runs',
  run: (runId: string) => `/v1/runs/${encodeURIComponent(runId)}`,
  jobs: '/v1/jobs',
  /** The latest job writing an object (404 JOB_UNKNOWN when none): how `verify` finds a backup still on its way. */
  findJob: (targetId: string, objectName: string) =>
    `/v1/jobs?${new URLSearchParams({ targetId, objectName }).toString()}`,
  /** GET: the job's status; DELETE: cancel it (its session is cancelled, it ends `failed` JOB_CANCELLED). */
  job: (jobId: string) => `/v1/jobs/${encodeURIComponent(jobId)}`,
  /** POST: restore one backup into a scratch database (202 with the restore's job id). */
  restores: '/v1/restores',
  /** GET: a restore's status; DELETE: cancel it (its scratch database dropped, it ends `failed` JOB_CANCELLED). */
  restore: (jobId: string) => `/v1/restores/${encodeURIComponent(jobId)}`,
  /** POST: drop a scratch database a restore of this agent kept (200 with that restore's status, now `dropped`). */
  scratchDrops: '/v1/scratch-drops',
  /** GET: whether the target's server is ready to ship its binary logs (409 BINLOG_NOT_READY naming the setting). */
  binlog: (targetId: string) => `/v1/targets/${encodeURIComponent(targetId)}/binlog`,
  /**
   * GET: the closed binary logs the target's server holds, after FLUSH BINARY LOGS closed the open one; POST: ship one
   * of them into the session given (binlog-protocol.ts). Both refuse with 409 BINLOG_NOT_READY as the GET above.
   */
  binlogs: (targetId: string) => `/v1/targets/${encodeURIComponent(targetId)}/binlogs`,
  /** GET: which recipients the agent's identity files open, by fingerprint (never a key): for `status`. */
  identities: '/v1/identities',
  health: '/healthz',
  /** GET, signed: the agent's version, its clock and the id of the key it verified the request with (`doctor`). */
  ping: '/v1/ping',
  /** POST, signed: stream a canary through the backup's tool chain into the session given (`doctor`). */
  canary: '/v1/canary',
  /** GET, signed: the agent's own check of its route to the storage origin (`doctor`). */
  storageRoute: '/v1/storage-route',
} as const;

/** A database or target name under the one name rule. */
export const nameSchema = z.string().refine(isValidName, { message: `must be ${NAME_RULE}` });

/** A run id or job id: short, URL- and log-safe. */
export const idSchema = z.string().regex(/^[A-Za-z0-9-]{1,64}$/, 'must be 1 to 64 letters, digits or "-"');

const ON_ERROR = ['stop', 'continue'] as const;

/** One database of a run: where its dump goes. Never carries database credentials: the agent holds those. */
export const jobSpecSchema = z.strictObject({
  targetId: nameSchema,
  objectName: z.string().min(1).max(1024),
  /** The resumable upload session: a capability for exactly one object, never logged. */
  uploadUri: z.url({ protocol: /^https?$/ }),
  compression: compressionSchema,
  /** The object is named `….age`: the agent encrypts it for the target's recipients, or refuses the job. */
  encrypted: z.boolean().optional(),
});
export type JobSpec = z.infer<typeof jobSpecSchema>;

/**
 * What the function asks of an agent: its targets of one run, in order. The agent runs them `concurrency` at a
 * time and, with onError `stop`, skips (and cancels the sessions of) those not started once one failed — so a
 * run keeps its order and its stop-on-error however long it takes, whether or not the function still waits.
 */
export const runRequestSchema = z.strictObject({
  runId: idSchema,
  concurrency: z.int().min(1).max(16),
  onError: z.enum(ON_ERROR),
  jobs: z
    .array(jobSpecSchema)
    .min(1)
    .max(256)
    .refine(
      (jobs) => new Set(jobs.map((job) => job.targetId)).size === jobs.length,
      'must name each target once',
    ),
});
export type RunRequest = z.infer<typeof runRequestSchema>;

/** A job as the agent keeps it: its spec and the run it belongs to. */
export type JobRequest = JobSpec & { runId: string };

export const JOB_STATES = ['queued', 'running', 'succeeded', 'failed', 'interrupted', 'skipped'] as const;
export type JobState = (typeof JOB_STATES)[number];
export const FINAL_JOB_STATES: readonly JobState[] = ['succeeded', 'failed', 'interrupted', 'skipped'];

export function isFinal(state: JobState): boolean {
  return FINAL_JOB_STATES.includes(state);
}

const acceptedJobSchema = z.strictObject({ targetId: nameSchema, jobId: idSchema });

export const runAcceptedSchema = z.strictObject({
  runId: idSchema,
  jobs: z.array(acceptedJobSchema),
});
export type RunAccepted = z.infer<typeof runAcceptedSchema>;

const exitCode = z.int().nullable();

/**
 * Where a MySQL/MariaDB dump's snapshot stands in its server's binary log (as mysqldump's --master-data=2 writes it,
 * consistent with --single-transaction), and which server wrote that log: what replaying the log from a full backup
 * starts from. A job of a server without binary logging carries none.
 */
export const binlogServerSchema = z.strictObject({
  serverId: z.int().nonnegative(),
  /** MySQL's server_uuid (MariaDB has none). */
  serverUuid: z.string().max(64).optional(),
  /** MariaDB's gtid_domain_id (MySQL has none). */
  gtidDomainId: z.int().nonnegative().optional(),
});

/** A binary log's file name as the server lists it, e.g. `binlog.000042`: safe as a path segment and an argument. */
export const binlogFileSchema = z
  .string()
  .regex(/^[A-Za-z0-9_][A-Za-z0-9._-]{0,254}$/, 'must be a binary log file name');

export const binlogPositionSchema = binlogServerSchema.extend({
  file: binlogFileSchema,
  position: z.int().nonnegative(),
});
export type BinlogPosition = z.infer<typeof binlogPositionSchema>;

/** The agent's word that a target's server writes binary logs that can be shipped: in ROW format, by this server. */
export const binlogReadySchema = z.strictObject({
  targetId: nameSchema,
  format: z.literal('ROW'),
  server: binlogServerSchema,
});
export type BinlogReady = z.infer<typeof binlogReadySchema>;

export const jobStatusSchema = z.strictObject({
  jobId: idSchema,
  runId: idSchema,
  targetId: nameSchema,
  objectName: z.string(),
  state: z.enum(JOB_STATES),
  /** Bytes read from the dump tool's stdout, before compression. */
  bytesRead: z.int().nonnegative(),
  /** Bytes of the compressed stream sent to storage. */
  bytesUploaded: z.int().nonnegative(),
  /** Hashes of the uploaded bytes, in Cloud Storage's encodings: base64 crc32c and md5, hex sha256. */
  crc32c: z.string().optional(),
  md5: z.string().optional(),
  sha256: z.string().optional(),
  /** Of an encrypted backup: its recipients' fingerprints (never the keys), as the object's metadata records them. */
  recipients: z.array(z.string()).optional(),
  queuedAt: z.iso.datetime().optional(),
  startedAt: z.iso.datetime().optional(),
  /** Once started: when the agent stops the job if it still runs (its target's maxDurationMinutes after its start). */
  deadline: z.iso.datetime().optional(),
  endedAt: z.iso.datetime().optional(),
  /** Each process's exit code, null while running or when killed by a signal. */
  exitCodes: z.record(z.string(), exitCode),
  errorCode: z.string().optional(),
  errorMessage: z.string().optional(),
  /** The dump tool's last stderr lines, secrets redacted. */
  stderrTail: z.array(z.string()),
  /** Of a succeeded MySQL/MariaDB backup whose server keeps binary logs: where its dump starts. */
  binlog: binlogPositionSchema.optional(),
});
export type JobStatus = z.infer<typeof jobStatusSchema>;

/** Every job the agent knows under one run id, in the order they were asked for. */
export const runStatusSchema = z.strictObject({
  runId: idSchema,
  jobs: z.array(jobStatusSchema),
});
export type RunStatus = z.infer<typeof runStatusSchema>;

/** The fingerprints of the recipients the agent's age identities open. */
export const identitiesSchema = z.strictObject({ recipients: z.array(z.string()) });
export type Identities = z.infer<typeof identitiesSchema>;

/** A target already busy: the job holding it, which a caller may attach to instead of failing. */
export const busyJobSchema = z.strictObject({
  targetId: nameSchema,
  jobId: idSchema,
  runId: idSchema,
  objectName: z.string(),
});
export type BusyJob = z.infer<typeof busyJobSchema>;

/** The agent's answer to a signed ping: what `doctor` shows of it, the clock read from its answer's signature. */
export const pongSchema = z.strictObject({
  version: z.string().min(1),
  /** The agent's clock when it answered, to the millisecond (the answer signature's `created` has seconds only). */
  time: z.iso.datetime(),
  /** The id under which the agent trusts the key the request was signed with. */
  keyId: z.string().min(1),
});
export type Pong = z.infer<typeof pongSchema>;

/** A canary upload: the session the function opened under the canary folder, and the compressor a backup uses. */
export const canaryRequestSchema = z.strictObject({
  uploadUri: z.url({ protocol: /^https?$/ }),
  compression: compressionSchema,
});
export type CanaryRequest = z.infer<typeof canaryRequestSchema>;

/**
 * What one stream into a session came to, in a job's terms: the counts and hashes the function proves the object
 * against, and why it failed. A canary's answer is this; a shipped binary log's adds its facts (binlog-protocol.ts).
 */
export const streamResultSchema = jobStatusSchema
  .pick({
    bytesRead: true,
    bytesUploaded: true,
    crc32c: true,
    md5: true,
    sha256: true,
    exitCodes: true,
    errorCode: true,
    errorMessage: true,
    stderrTail: true,
  })
  .extend({ ok: z.boolean() });

/** What a canary came to. */
export type CanaryResult = z.infer<typeof streamResultSchema>;

/** The agent's route to storage: where the origin's host resolves, whether its config admits each address, and a
 * connection to it (a TLS handshake for https; none when an address is outside the ranges). */
export const storageRouteSchema = z.strictObject({
  origin: z.string(),
  host: z.string(),
  allowedRanges: z.array(z.string()),
  addresses: z.array(z.strictObject({ address: z.string(), allowed: z.boolean() })),
  resolveError: z.string().optional(),
  connection: z
    .strictObject({ kind: z.enum(['tls', 'tcp']), ok: z.boolean(), detail: z.string() })
    .nullable(),
});
export type StorageRoute = z.infer<typeof storageRouteSchema>;

/** The body of every error answer from the agent: a code, and a message safe for the caller. */
export const errorBodySchema = z.strictObject({
  error: z.strictObject({
    code: z.string(),
    message: z.string(),
    /** With JOB_CONFLICT: the jobs already holding the run's targets. */
    busy: z.array(busyJobSchema).optional(),
  }),
});
export type ErrorBody = z.infer<typeof errorBodySchema>;

/**
 * A zod error (or some of its issues) as one line naming each bad field, for 400 answers and configuration errors;
 * `label` may say more about a field than its path, e.g. the environment variable it came from.
 */
export function describeIssues(
  error: z.ZodError | readonly z.core.$ZodIssue[],
  label: (path: string[]) => string = (path) => (path.length ? path.join('.') : '(root)'),
): string {
  const issues = error instanceof z.ZodError ? error.issues : error;
  return issues.map((issue) => `${label(issue.path.map(String))}: ${issue.message}`).join('; ');
}
