// The agent's wire protocol — a job request and a job's status — as schemas both sides validate against.

import { z } from 'zod';
import { compressionSchema } from './compression.js';
import { isValidName, NAME_RULE } from './validate-name.js';

export const AGENT_PATHS = {
  jobs: '/v1/jobs',
  job: (jobId: string) => `/v1/jobs/${encodeURIComponent(jobId)}`,
  /** The latest job of a run for a target (signed GET; 404 JOB_UNKNOWN when none): how `verify` finds one. */
  findJob: (runId: string, targetId: string) =>
    `/v1/jobs?${new URLSearchParams({ runId, targetId }).toString()}`,
  health: '/healthz',
} as const;

/** A database or target name under the one name rule. */
export const nameSchema = z.string().refine(isValidName, { message: `must be ${NAME_RULE}` });

/** A run id or job id: short, URL- and log-safe. */
export const idSchema = z.string().regex(/^[A-Za-z0-9-]{1,64}$/, 'must be 1 to 64 letters, digits or "-"');

/** What the function asks of the agent. Never carries database credentials: the agent holds those. */
export const jobRequestSchema = z.strictObject({
  runId: idSchema,
  targetId: nameSchema,
  objectName: z.string().min(1).max(1024),
  /** The resumable upload session: a capability for exactly one object, never logged. */
  uploadUri: z.url({ protocol: /^https?$/ }),
  compression: compressionSchema,
});
export type JobRequest = z.infer<typeof jobRequestSchema>;

export const JOB_STATES = ['queued', 'running', 'succeeded', 'failed', 'interrupted'] as const;
export type JobState = (typeof JOB_STATES)[number];
export const FINAL_JOB_STATES: readonly JobState[] = ['succeeded', 'failed', 'interrupted'];

export const jobAcceptedSchema = z.strictObject({ jobId: idSchema });
export type JobAccepted = z.infer<typeof jobAcceptedSchema>;

const exitCode = z.int().nullable();

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
  startedAt: z.iso.datetime().optional(),
  endedAt: z.iso.datetime().optional(),
  /** Each process's exit code, null while running or when killed by a signal. */
  exitCodes: z.record(z.string(), exitCode),
  errorCode: z.string().optional(),
  errorMessage: z.string().optional(),
  /** The dump tool's last stderr lines, secrets redacted. */
  stderrTail: z.array(z.string()),
});
export type JobStatus = z.infer<typeof jobStatusSchema>;

/** The body of every error answer from the agent: a code, and a message safe for the caller. */
export const errorBodySchema = z.strictObject({
  error: z.strictObject({
    code: z.string(),
    message: z.string(),
    /** With JOB_CONFLICT: the job already running for the target. */
    jobId: idSchema.optional(),
  }),
});
export type ErrorBody = z.infer<typeof errorBodySchema>;

/** A zod error as one line naming each bad field, for 400 answers and configuration errors. */
export function describeIssues(error: z.ZodError): string {
  return error.issues
    .map((issue) => `${issue.path.length ? issue.path.join('.') : '(root)'}: ${issue.message}`)
    .join('; ');
}
