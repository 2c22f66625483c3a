// The job runner with a pipeline the test finishes by hand: a run's order, concurrency and stop-on-error, busy
// targets, cancellation, the jobs' limits, shutdown and recovery — and the sessions it cancels on the way.

import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { type TargetConfig, targetConfigSchema } from '../../../../agent/engines/index.js';
import { JobConflictError } from '../../../../agent/jobs/job-conflict.js';
import { createJobRunner, type JobRunner } from '../../../../agent/jobs/job-runner.js';
import { createJobStore } from '../../../../agent/jobs/job-store.js';
import { createAgentLog, LOG_FILE_NAME } from '../../../../agent/log/agent-log.js';
import { createRedactor } from '../../../../agent/log/redact.js';
import type { BackupControl } from '../../../../agent/pipeline/backup-pipeline.js';
import { createSessionCanceller } from '../../../../agent/pipeline/cancel-session.js';
import type { StreamedBackup } from '../../../../agent/pipeline/stream-backup.js';
import { BackupError } from '../../../../core/errors.js';
import type { JobRequest, JobStatus, RunRequest } from '../../../../core/protocol.js';

const ok: StreamedBackup = {
  ok: true,
  bytesRead: 5,
  bytesUploaded: 3,
  crc32c: 'AAAAAA==',
  md5: 'bWQ1',
  sha256: 'ab',
  exitCodes: { dump: 0 },
  stderrTail: [],
};

interface Call {
  target: TargetConfig;
  request: JobRequest;
  control: BackupControl;
}

/** Backups the test finishes by hand; an abort ends one the way the pipeline does, with the abort's own code. */
class ManualBackups {
  readonly calls: Call[] = [];
  readonly #pending = new Map<string, (outcome: StreamedBackup) => void>();
  pipeline = (target: TargetConfig, request: JobRequest, control: BackupControl): Promise<StreamedBackup> => {
    this.calls.push({ target, request, control });
    return new Promise((resolve) => {
      this.#pending.set(target.id, resolve);
      const aborted = () => {
        const reason = control.signal.reason;
        resolve({
          ...ok,
          ok: false,
          errorCode: reason instanceof BackupError ? reason.code : 'JOB_INTERRUPTED',
          errorMessage: reason instanceof BackupError ? reason.message : 'stopped',
          exitCodes: { dump: null },
        });
      };
      // As the real pipeline does, a signal aborted before the call ends it at once.
      if (control.signal.aborted) aborted();
      control.signal.addEventListener('abort', aborted);
    });
  };
  started = () => this.calls.map((call) => call.target.id);
  finish(targetId: string, outcome: StreamedBackup = ok): void {
    this.#pending.get(targetId)?.(outcome);
    this.#pending.delete(targetId);
  }
}

/** Stands in for the storage service's session URIs, recording which sessions were cancelled (DELETE). */
async function sessionServer(): Promise<{
  uri: (id: string) => string;
  cancelled: string[];
  server: Server;
}> {
  const cancelled: string[] = [];
  const server = createServer((req, res) => {
    if (req.method === 'DELETE')
      cancelled.push(new URL(req.url ?? '/', 'http://x').searchParams.get('upload_id') ?? '');
    res.writeHead(499).end();
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  const uri = (id: string) =>
    `http://127.0.0.1:${port}/upload/storage/v1/b/b/o?uploadType=resumable&upload_id=${id}`;
  return { uri, cancelled, server };
}

let dir: string;
let sessions: Awaited<ReturnType<typeof sessionServer>>;
let logFile: string;
const targets: TargetConfig[] = ['app', 'crm', 'erp'].map((id) =>
  targetConfigSchema.parse({ id, engine: 'sqlite', database: id, path: `/srv/${id}.db` }),
);

beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), 'job-runner-'));
  logFile = join(dir, 'log', LOG_FILE_NAME);
  sessions = await sessionServer();
});
/** Every runner a test made, closed before its folder goes so no late write races the clean-up. */
const runners: JobRunner[] = [];
afterEach(async () => {
  await Promise.all(runners.splice(0).map((jobs) => jobs.close()));
  await new Promise((resolve) => sessions.server.close(resolve));
  await rm(dir, { recursive: true, force: true });
});

async function runner(
  backups: ManualBackups,
  options: { now?: () => Date; targets?: TargetConfig[]; secret?: string } = {},
): Promise<JobRunner> {
  let id = 0;
  const redactor = createRedactor(options.secret ? [options.secret] : []);
  const log = createAgentLog({ dir: join(dir, 'log'), redact: redactor.redact });
  const jobs = createJobRunner({
    store: await createJobStore(join(dir, 'state')),
    targets: options.targets ?? targets,
    pipeline: backups.pipeline,
    cancelSession: createSessionCanceller(log),
    log,
    redact: redactor.redact,
    retentionDays: 30,
    now: options.now ?? (() => new Date()),
    newJobId: () => `job-${++id}`,
  });
  await jobs.recover();
  runners.push(jobs);
  return jobs;
}

function run(runId: string, ids: string[], extra: Partial<RunRequest> = {}): RunRequest {
  return {
    runId,
    concurrency: 1,
    onError: 'stop',
    jobs: ids.map((targetId) => ({
      targetId,
      objectName: `${targetId}_20250301.sql.gz`,
      uploadUri: sessions.uri(`${runId}-${targetId}`),
      compression: { algorithm: 'gzip' },
    })),
    ...extra,
  };
}

/** A job's final state once its log line and its last write are done. */
async function settled(jobs: JobRunner, jobId: string): Promise<JobStatus> {
  let status: JobStatus | undefined;
  await vi.waitFor(
    async () => {
      status = jobs.get(jobId);
      expect(['succeeded', 'failed', 'interrupted', 'skipped']).toContain(status?.state);
      const disk = JSON.parse(await readFile(join(dir, 'state', 'jobs', `${jobId}.json`), 'utf8'));
      expect(disk.state).toBe(status?.state);
    },
    { timeout: 5000, interval: 5 },
  );
  return status as JobStatus;
}

const events = async () =>
  (await readFile(logFile, 'utf8'))
    .trim()
    .split('\n')
    .map((line) => JSON.parse(line).event as string);

describe('a run', () => {
  it('runs its jobs in order, one at a time, and logs each start and end', async () => {
    const backups = new ManualBackups();
    const jobs = await runner(backups);
    const accepted = await jobs.submitRun(run('run-1', ['app', 'crm']));
    expect(accepted).toEqual({
      runId: 'run-1',
      jobs: [
        { targetId: 'app', jobId: 'job-1' },
        { targetId: 'crm', jobId: 'job-2' },
      ],
    });
    expect(jobs.run('run-1').map((status) => status.state)).toEqual(['queued', 'queued']);
    await vi.waitFor(() => expect(backups.started()).toEqual(['app']));
    backups.finish('app');
    await vi.waitFor(() => expect(backups.started()).toEqual(['app', 'crm']));
    backups.finish('crm');
    expect(await settled(jobs, 'job-2')).toMatchObject({
      state: 'succeeded',
      bytesRead: 5,
      crc32c: 'AAAAAA==',
    });
    expect(jobs.find('crm', 'crm_20250301.sql.gz')?.jobId).toBe('job-2');
    expect((await events()).filter((event) => event.startsWith('job.'))).toEqual([
      'job.started',
      'job.succeeded',
      'job.started',
      'job.succeeded',
    ]);
  });

  it('runs `concurrency` jobs at once, the next one starting when one ends', async () => {
    const backups = new ManualBackups();
    const jobs = await runner(backups);
    await jobs.submitRun(run('run-1', ['app', 'crm', 'erp'], { concurrency: 2 }));
    await vi.waitFor(() => expect(backups.started().sort()).toEqual(['app', 'crm']));
    await new Promise((resolve) => setTimeout(resolve, 50));
    expect(backups.started()).toHaveLength(2);
    backups.finish('crm');
    await vi.waitFor(() => expect(backups.started()[2]).toBe('erp'));
    backups.finish('app');
    backups.finish('erp');
    await settled(jobs, 'job-3');
  });

  it('stops at the first failure: the rest are skipped and their sessions cancelled', async () => {
    const backups = new ManualBackups();
    const jobs = await runner(backups);
    await jobs.submitRun(run('run-1', ['app', 'crm', 'erp']));
    await vi.waitFor(() => expect(backups.started()).toEqual(['app']));
    backups.finish('app', { ...ok, ok: false, errorCode: 'DUMP_FAILED', errorMessage: 'boom' });
    expect(await settled(jobs, 'job-3')).toMatchObject({
      state: 'skipped',
      errorMessage: 'app failed first (onError: stop)',
    });
    expect(jobs.get('job-2')?.state).toBe('skipped');
    expect(backups.started()).toEqual(['app']);
    await vi.waitFor(() => expect(sessions.cancelled.sort()).toEqual(['run-1-crm', 'run-1-erp']));
  });

  it('goes on after a failure with onError continue', async () => {
    const backups = new ManualBackups();
    const jobs = await runner(backups);
    await jobs.submitRun(run('run-1', ['app', 'crm'], { onError: 'continue' }));
    await vi.waitFor(() => expect(backups.started()).toEqual(['app']));
    backups.finish('app', { ...ok, ok: false, errorCode: 'DUMP_FAILED', errorMessage: 'boom' });
    await vi.waitFor(() => expect(backups.started()).toEqual(['app', 'crm']));
    backups.finish('crm');
    expect(await settled(jobs, 'job-2')).toMatchObject({ state: 'succeeded' });
  });

  it('refuses a run naming a busy target, saying which job holds it, and starts none of it', async () => {
    const backups = new ManualBackups();
    const jobs = await runner(backups);
    await jobs.submitRun(run('run-1', ['app']));
    const refused = await jobs.submitRun(run('run-2', ['crm', 'app'])).catch((error: unknown) => error);
    expect(refused).toBeInstanceOf(JobConflictError);
    expect((refused as JobConflictError).busy).toEqual([
      { targetId: 'app', jobId: 'job-1', runId: 'run-1', objectName: 'app_20250301.sql.gz' },
    ]);
    expect(jobs.run('run-2')).toEqual([]);
    expect((await jobs.submitRun(run('run-3', ['crm']))).jobs).toHaveLength(1);
    await vi.waitFor(() => expect(backups.started().sort()).toEqual(['app', 'crm']));
    backups.finish('app');
    await settled(jobs, 'job-1');
    expect((await jobs.submitRun(run('run-4', ['app']))).jobs).toHaveLength(1);
  });

  it('refuses an unknown target', async () => {
    const jobs = await runner(new ManualBackups());
    await expect(jobs.submitRun(run('run-1', ['nope']))).rejects.toMatchObject({ code: 'TARGET_UNKNOWN' });
  });
});

describe('a job that fails to end', () => {
  it('is cancelled on request while running, and while still queued (never started)', async () => {
    const backups = new ManualBackups();
    const jobs = await runner(backups);
    await jobs.submitRun(run('run-1', ['app', 'crm'], { onError: 'continue' }));
    await vi.waitFor(() => expect(backups.started()).toEqual(['app']));
    expect(jobs.cancel('job-2').state).toBe('queued');
    jobs.cancel('job-1');
    expect(await settled(jobs, 'job-1')).toMatchObject({ state: 'failed', errorCode: 'JOB_CANCELLED' });
    expect(await settled(jobs, 'job-2')).toMatchObject({ state: 'failed', errorCode: 'JOB_CANCELLED' });
    expect(backups.started()).toEqual(['app']);
    await vi.waitFor(() => expect(sessions.cancelled).toContain('run-1-crm'));
    expect(jobs.cancel('job-1').state).toBe('failed');
    expect(() => jobs.cancel('job-9')).toThrow(expect.objectContaining({ code: 'JOB_UNKNOWN' }));
  });

  it('is stopped when it outlives its maximum duration (JOB_TIMEOUT)', async () => {
    const backups = new ManualBackups();
    const short = targetConfigSchema.parse({
      id: 'app',
      engine: 'sqlite',
      database: 'app',
      path: '/a',
      maxDurationMinutes: 0.002,
    });
    const jobs = await runner(backups, { targets: [short] });
    await jobs.submitRun(run('run-1', ['app']));
    expect(await settled(jobs, 'job-1')).toMatchObject({ state: 'failed', errorCode: 'JOB_TIMEOUT' });
  });

  it('is stopped when its dump writes nothing for stallMinutes (JOB_STALLED), not while bytes flow', async () => {
    const backups = new ManualBackups();
    const stalling = targetConfigSchema.parse({
      id: 'app',
      engine: 'sqlite',
      database: 'app',
      path: '/a',
      stallMinutes: 0.002,
    });
    const jobs = await runner(backups, { targets: [stalling] });
    await jobs.submitRun(run('run-1', ['app']));
    await vi.waitFor(() => expect(backups.calls).toHaveLength(1));
    const { onProgress } = (backups.calls[0] as Call).control;
    for (let bytes = 1; bytes <= 5; bytes++) {
      onProgress({ bytesRead: bytes * 1000, bytesUploaded: 0 });
      await new Promise((resolve) => setTimeout(resolve, 60));
    }
    expect(jobs.get('job-1')?.state).toBe('running');
    for (let tick = 0; tick < 5; tick++) {
      onProgress({ bytesRead: 5000, bytesUploaded: 0 });
      await new Promise((resolve) => setTimeout(resolve, 60));
    }
    expect(await settled(jobs, 'job-1')).toMatchObject({ state: 'failed', errorCode: 'JOB_STALLED' });
  });

  it('reports a throwing pipeline as a failed job, cancelling its session', async () => {
    const jobs = await runner({
      ...new ManualBackups(),
      pipeline: () =>
        Promise.reject(new BackupError('CONFIG_INVALID', 'target app passwordFile: unreadable')),
    } as unknown as ManualBackups);
    await jobs.submitRun(run('run-1', ['app']));
    expect(await settled(jobs, 'job-1')).toMatchObject({ state: 'failed', errorCode: 'CONFIG_INVALID' });
    await vi.waitFor(() => expect(sessions.cancelled).toEqual(['run-1-app']));
  });
});

describe('secrets, shutdown, recovery and retention', () => {
  it('keeps a secret the job reported out of its status and the log', async () => {
    const backups = new ManualBackups();
    const jobs = await runner(backups, { secret: 'the-db-password' });
    await jobs.submitRun(run('run-1', ['app']));
    await vi.waitFor(() => expect(backups.calls).toHaveLength(1));
    backups.finish('app', {
      ...ok,
      ok: false,
      errorCode: 'DUMP_FAILED',
      errorMessage: 'access denied for the-db-password',
      stderrTail: ['the-db-password'],
    });
    const failed = await settled(jobs, 'job-1');
    expect(JSON.stringify(failed)).not.toContain('the-db-password');
    expect(await readFile(logFile, 'utf8')).not.toContain('the-db-password');
    expect(await readFile(logFile, 'utf8')).toContain('"level":"error","event":"job.failed"');
  });

  it('interrupts running and queued jobs on close, and refuses new runs', async () => {
    const backups = new ManualBackups();
    const jobs = await runner(backups);
    await jobs.submitRun(run('run-7', ['app', 'crm']));
    await vi.waitFor(() => expect(backups.calls).toHaveLength(1));
    await jobs.close();
    expect(jobs.run('run-7').map((status) => [status.state, status.errorCode])).toEqual([
      ['interrupted', 'JOB_INTERRUPTED'],
      ['interrupted', 'JOB_INTERRUPTED'],
    ]);
    expect(backups.started()).toEqual(['app']);
    await expect(jobs.submitRun(run('run-8', ['erp']))).rejects.toBeInstanceOf(BackupError);
  });

  it('turns jobs a previous process left queued or running into interrupted ones on recovery', async () => {
    const backups = new ManualBackups();
    const first = await runner(backups);
    await first.submitRun(run('run-1', ['app', 'crm']));
    await vi.waitFor(() => expect(backups.calls).toHaveLength(1));
    // A second runner on the same state folder while app runs and crm waits, as after a crash.
    const second = await runner(new ManualBackups());
    expect(second.run('run-1').map((status) => status.state)).toEqual(['interrupted', 'interrupted']);
    await first.close();
  });

  it('forgets finished jobs past the retention period, files included', async () => {
    const backups = new ManualBackups();
    const first = await runner(backups);
    await first.submitRun(run('run-1', ['app']));
    await vi.waitFor(() => expect(backups.calls).toHaveLength(1));
    backups.finish('app');
    await settled(first, 'job-1');
    await first.close();
    const soon = await runner(new ManualBackups(), { now: () => new Date(Date.now() + 29 * 86_400_000) });
    expect(soon.get('job-1')?.state).toBe('succeeded');
    const later = await runner(new ManualBackups(), { now: () => new Date(Date.now() + 31 * 86_400_000) });
    expect(later.get('job-1')).toBeUndefined();
    await expect(readFile(join(dir, 'state', 'jobs', 'job-1.json'))).rejects.toThrow(/ENOENT/);
  });
});
