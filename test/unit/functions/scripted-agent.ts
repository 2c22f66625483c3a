// An AgentClient whose agent follows a script, for fast tests of the function's decisions: it really uploads to the
// sessions it is given (so the objects exist and hash as the service hashes them), and answers each job's state as
// the test says, one step per read.
import { createHash } from 'node:crypto';
import { CRC32C } from '@google-cloud/storage';
import { queuedRestore } from '../../../agent/restore/restore-status.js';
import type { ClosedLogs, ShippedLogFacts, ShipRequest, ShipResult } from '../../../core/binlog-protocol.js';
import { DEFAULT_MAX_DURATION_MINUTES, deadlineAfter } from '../../../core/job-deadline.js';
import type { BusyJob, JobState, JobStatus, RunRequest } from '../../../core/protocol.js';
import type { RestoreRequestInput, RestoreStatus } from '../../../core/restore-protocol.js';
import type { AgentClient, Submission } from '../../../functions/agent/agent-client.js';

/** What the agent does with a target's job: the states a reader sees, read after read, the last one staying. */
export interface JobScript {
  states: JobState[];
  /** Bytes uploaded to the session before the job reads `succeeded`; none when it fails. */
  bytes?: Buffer;
  /** The error code of a failed job, e.g. OBJECT_EXISTS. */
  errorCode?: string;
  /** Lies about what was uploaded. */
  claim?: Partial<JobStatus>;
  /** Runs before the job is first read, e.g. to play another party creating the object meanwhile. */
  onFirstRead?: () => Promise<void>;
}

/** What the agent does with a target's restore: the states a reader sees, read after read, and how it ends. */
export interface RestoreScript {
  states: JobState[];
  /** Merged into the status once it is final: tables, checks, error. */
  end?: Partial<RestoreStatus>;
}

/** One closed log as the scripted server holds it, and how its shipping goes. */
export interface LogScript {
  /** The bytes uploaded as the shipped object (standing in for the compressed log). */
  bytes: Buffer;
  facts: Omit<ShippedLogFacts, 'file' | 'size'>;
  /** The agent's account of a failure: nothing is uploaded (or only `cut` bytes, never finalized). */
  fail?: { errorCode: string; errorMessage: string; stderrTail?: string[] };
  /** Uploads this many bytes into the session without finalizing it, then the call fails: the agent died. */
  cut?: number;
  /** Lies about what was uploaded or shipped. */
  claim?: Partial<ShipResult>;
}

/** What a target's server holds: the answers to `closedLogs`, one per call (the last one staying), and its logs. */
export interface BinlogScript {
  closed: (Omit<ClosedLogs, 'targetId' | 'flushedAt'> | Error)[];
  logs: Record<string, LogScript>;
}

export interface ScriptedAgent extends AgentClient {
  /** The ship requests received, in order. */
  readonly shipped: ShipRequest[];
  /** The run requests received, in order. */
  readonly runs: RunRequest[];
  /** The restore requests received, in order. */
  readonly restores: RestoreRequestInput[];
  readonly cancelled: string[];
  /** A job of another run already holding a target (writing to `uploadUri`, queued at `queuedAt`, by default now):
   * submissions naming it are refused. */
  hold(busy: BusyJob, script: JobScript, uploadUri?: string, queuedAt?: Date): void;
  /** Puts a finished job on record, as if an earlier run had made it. */
  record(job: JobStatus): void;
}

export function hashesOf(bytes: Buffer): Pick<JobStatus, 'crc32c' | 'md5' | 'sha256' | 'bytesUploaded'> {
  const crc = new CRC32C();
  crc.update(bytes);
  return {
    bytesUploaded: bytes.length,
    crc32c: crc.toString(),
    md5: createHash('md5').update(bytes).digest('base64'),
    sha256: createHash('sha256').update(bytes).digest('hex'),
  };
}

/** The whole of `bytes` into a session, finalized. */
async function upload(uri: string, bytes: Buffer): Promise<void> {
  const size = bytes.length;
  const put = await fetch(uri, {
    method: 'PUT',
    headers: { 'content-range': `bytes 0-${size - 1}/${size}` },
    body: bytes,
  });
  if (!put.ok) throw new Error(`upload: ${put.status} ${await put.text()}`);
}

interface Live {
  status: JobStatus;
  script: JobScript;
  uploadUri?: string;
  reads: number;
}

/** Stamps a job that has left the queue as the agent does: when it started, and its deadline. */
function started<S extends { state: JobState; queuedAt?: string; startedAt?: string }>(
  status: S,
  maxDurationMinutes: number,
): S {
  if (status.state === 'queued' || status.startedAt) return status;
  const at = new Date(status.queuedAt ?? Date.now());
  return { ...status, startedAt: at.toISOString(), deadline: deadlineAfter(at, maxDurationMinutes) };
}

export function scriptedAgent(
  scripts: Record<string, JobScript>,
  restoreScripts: Record<string, RestoreScript> = {},
  /** Its targets' maxDurationMinutes, as agent.json would set them. */
  maxDurationMinutes = DEFAULT_MAX_DURATION_MINUTES,
  binlogScripts: Record<string, BinlogScript> = {},
): ScriptedAgent {
  const shipped: ShipRequest[] = [];
  const closedCalls = new Map<string, number>();
  const jobs = new Map<string, Live>();
  const restoreJobs = new Map<string, { status: RestoreStatus; script: RestoreScript; reads: number }>();
  const restores: RestoreRequestInput[] = [];
  const busy = new Map<string, BusyJob>();
  const runs: RunRequest[] = [];
  const cancelled: string[] = [];
  let ids = 0;

  const advance = async (live: Live): Promise<JobStatus> => {
    const { script } = live;
    if (live.reads === 0) await script.onFirstRead?.();
    const state = script.states[Math.min(live.reads, script.states.length - 1)] as JobState;
    live.reads += 1;
    if (state === 'succeeded' && live.status.state !== 'succeeded' && script.bytes && live.uploadUri) {
      await upload(live.uploadUri, script.bytes);
      live.status = { ...live.status, ...hashesOf(script.bytes), bytesRead: script.bytes.length * 4 };
    }
    live.status = {
      ...live.status,
      state,
      ...(state === 'failed' && {
        errorCode: script.errorCode ?? 'DUMP_FAILED',
        errorMessage: 'the dump failed',
      }),
      ...(state === 'succeeded' && script.claim),
    };
    live.status = started(live.status, maxDurationMinutes);
    return live.status;
  };

  return {
    shipped,
    runs,
    restores,
    cancelled,
    hold(job, script, uploadUri, queuedAt) {
      busy.set(job.targetId, job);
      const status = base(job.jobId, job.runId, job.targetId, job.objectName, queuedAt);
      jobs.set(job.jobId, { status, script, reads: 0, ...(uploadUri && { uploadUri }) });
    },
    record(job) {
      jobs.set(job.jobId, { status: job, script: { states: [job.state] }, reads: 0 });
    },
    async submitRun(_agentUrl, run): Promise<Submission> {
      const held = run.jobs.flatMap((spec) =>
        busy.has(spec.targetId) ? [busy.get(spec.targetId) as BusyJob] : [],
      );
      if (held.length > 0) return { kind: 'busy', busy: held };
      runs.push(run);
      const accepted = run.jobs.map((spec) => {
        const jobId = `job-${++ids}`;
        const script = scripts[spec.targetId] ?? { states: ['succeeded'] };
        jobs.set(jobId, {
          status: base(jobId, run.runId, spec.targetId, spec.objectName),
          script,
          uploadUri: spec.uploadUri,
          reads: 0,
        });
        return { targetId: spec.targetId, jobId };
      });
      return { kind: 'accepted', accepted: { runId: run.runId, jobs: accepted } };
    },
    async run(_agentUrl, runId) {
      const matching = [...jobs.values()].filter((live) => live.status.runId === runId);
      if (matching.length === 0) return null;
      return { runId, jobs: await Promise.all(matching.map(advance)) };
    },
    async job(_agentUrl, jobId) {
      return jobs.get(jobId)?.status ?? null;
    },
    async find(_agentUrl, targetId, objectName) {
      const found = [...jobs.values()].filter(
        (live) => live.status.targetId === targetId && live.status.objectName === objectName,
      );
      const last = found.at(-1);
      return last ? advance(last) : null;
    },
    async submitRestore(_agentUrl, request) {
      const running = [...restoreJobs.values()].find(
        (live) =>
          live.status.targetId === request.targetId && !['succeeded', 'failed'].includes(live.status.state),
      );
      if (running) {
        const { targetId, jobId, runId, objectName } = running.status;
        return { kind: 'busy', busy: { targetId, jobId, runId, objectName } };
      }
      restores.push(request);
      const jobId = `restore-${++ids}`;
      const scratchDatabase = request.scratchDatabase ?? `${request.targetId}_scratch`;
      const status = queuedRestore(
        {
          jobId,
          runId: request.runId,
          targetId: request.targetId,
          objectName: request.objectName,
          scratchDatabase,
          keep: request.keep ?? false,
        },
        new Date(),
      );
      const script = restoreScripts[request.targetId] ?? { states: ['succeeded'] };
      restoreJobs.set(jobId, { status, script, reads: 0 });
      return {
        kind: 'accepted',
        accepted: { jobId, runId: request.runId, targetId: request.targetId, scratchDatabase },
      };
    },
    async restore(_agentUrl, jobId) {
      const live = restoreJobs.get(jobId);
      if (!live) return null;
      const state = live.script.states[Math.min(live.reads, live.script.states.length - 1)] as JobState;
      live.reads += 1;
      const final = state === 'succeeded' || state === 'failed' || state === 'interrupted';
      live.status = started(
        { ...live.status, state, ...(final && { scratch: 'dropped', ...live.script.end }) },
        maxDurationMinutes,
      );
      return live.status;
    },
    async dropScratch(_agentUrl, request) {
      const live = [...restoreJobs.values()].find(
        ({ status }) =>
          status.targetId === request.targetId &&
          status.scratch === 'kept' &&
          (request.scratchDatabase === undefined || status.scratchDatabase === request.scratchDatabase),
      );
      if (!live) throw new Error(`no scratch database of ${request.targetId} kept`);
      live.status = { ...live.status, scratch: 'dropped' };
      return live.status;
    },
    async cancelRestore(_agentUrl, jobId) {
      cancelled.push(jobId);
      const live = restoreJobs.get(jobId);
      if (!live) throw new Error(`no restore ${jobId}`);
      return live.status;
    },
    async cancel(_agentUrl, jobId) {
      cancelled.push(jobId);
      const live = jobs.get(jobId);
      if (!live) throw new Error(`no job ${jobId}`);
      return live.status;
    },
    async binlogReadiness(_agentUrl, targetId) {
      // No run of the function asks this yet: a script that gets here is a test that forgot to say what it meant.
      throw new Error(`no binary-log readiness scripted for ${targetId}`);
    },
    async closedLogs(_agentUrl, targetId) {
      const script = binlogScripts[targetId];
      if (!script) throw new Error(`no closed binary logs scripted for ${targetId}`);
      const calls = closedCalls.get(targetId) ?? 0;
      closedCalls.set(targetId, calls + 1);
      const answer = script.closed[Math.min(calls, script.closed.length - 1)];
      if (!answer || answer instanceof Error) throw answer ?? new Error('no answer scripted');
      return { targetId, flushedAt: new Date().toISOString(), ...answer };
    },
    async shipLog(_agentUrl, targetId, request) {
      shipped.push(request);
      const log = binlogScripts[targetId]?.logs[request.file];
      if (!log) throw new Error(`no binary log ${request.file} scripted for ${targetId}`);
      const counts = { bytesRead: request.size, exitCodes: {}, stderrTail: [] };
      if (log.cut !== undefined) {
        // An unfinalized chunk: the session stays open, and no object appears.
        await fetch(request.uploadUri, {
          method: 'PUT',
          headers: { 'content-range': `bytes 0-${log.cut - 1}/*` },
          body: log.bytes.subarray(0, log.cut),
        });
        throw new Error('the agent went away while it shipped');
      }
      if (log.fail) return { ...counts, bytesUploaded: 0, ok: false, ...log.fail };
      await upload(request.uploadUri, log.bytes);
      return {
        ...counts,
        ...hashesOf(log.bytes),
        ...(request.encrypted && { recipients: ['age1scripted'] }),
        ok: true,
        log: { file: request.file, size: request.size, ...log.facts },
        ...log.claim,
      };
    },
    // Runs are the script's subject; doctor is tested against real agents (test/integration/doctor/).
    async ping() {
      throw new Error('the scripted agent answers no ping');
    },
    async storageRoute() {
      throw new Error('the scripted agent checks no route');
    },
    async canary() {
      throw new Error('the scripted agent streams no canary');
    },
    // An agent holding no identity: status tests of encryption use the real agent.
    identities: async () => ({ recipients: [] }),
  };
}

function base(
  jobId: string,
  runId: string,
  targetId: string,
  objectName: string,
  queuedAt = new Date(),
): JobStatus {
  return {
    jobId,
    runId,
    targetId,
    objectName,
    state: 'queued',
    bytesRead: 0,
    bytesUploaded: 0,
    queuedAt: queuedAt.toISOString(),
    exitCodes: {},
    stderrTail: [],
  };
}
