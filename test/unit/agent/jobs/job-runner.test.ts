import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { nodeConfigFiles } from '../../../../agent/config/files.js';
import type { TargetConfig } from '../../../../agent/engines/index.js';
import { createJobRunner, JobConflictError } from '../../../../agent/jobs/job-runner.js';
import { createJobStore } from '../../../../agent/jobs/job-store.js';
import { createAgentLog, LOG_FILE_NAME } from '../../../../agent/log/agent-log.js';
import { createRedactor } from '../../../../agent/log/redact.js';
import type {
  BackupOutcome as Outcome,
  RunBackupInput as RunBackupArgs,
} from '../../../../agent/pipeline/run-backup.js';
import { BackupError } from '../../../../core/errors.js';
import type { JobRequest, JobStatus } from '../../../../core/protocol.js';

const ok: Outcome = {
  ok: true,
  bytesRead: 5,
  bytesUploaded: 3,
  crc32c: 'AAAAAA==',
  exitCodes: { dump: 0 },
  stderrTail: [],
};

/** A backup the test finishes by hand; an abort ends it the way the pipeline does. */
class ManualBackups {
  readonly calls: RunBackupArgs[] = [];
  readonly #pending: ((outcome: Outcome) => void)[] = [];
  run = (args: RunBackupArgs): Promise<Outcome> => {
    this.calls.push(args);
    return new Promise((resolve) => {
      this.#pending.push(resolve);
      const aborted = () =>
        resolve({
          ...ok,
          ok: false,
          errorCode: 'DUMP_FAILED',
          errorMessage: 'aborted',
          exitCodes: { dump: null },
        });
      if (args.signal?.aborted) aborted();
      args.signal?.addEventListener('abort', aborted);
    });
  };
  finish(outcome: Outcome): void {
    this.#pending.shift()?.(outcome);
  }
}

function request(targetId: string, runId = 'run-1'): JobRequest {
  return {
    runId,
    targetId,
    objectName: `${targetId}_20250301.sql.gz`,
    uploadUri: 'http://127.0.0.1:1/upload?upload_id=SESSION',
    compression: { algorithm: 'gzip' },
  };
}

/** A job's settled state, once its last write and log line are done (both follow the in-memory update). */
async function settled(get: () => JobStatus | undefined, logFile: string): Promise<JobStatus> {
  for (let i = 0; i < 400; i++) {
    const status = get();
    const logged = await readFile(logFile, 'utf8').catch(() => '');
    if (
      status &&
      ['succeeded', 'failed', 'interrupted'].includes(status.state) &&
      logged.includes(`"event":"job.${status.state}"`) &&
      logged.includes(status.jobId)
    ) {
      return status;
    }
    await new Promise((resolve) => setTimeout(resolve, 5));
  }
  throw new Error('job did not settle');
}

describe('createJobRunner', () => {
  let dir: string;
  let targets: TargetConfig[];
  beforeEach(async () => {
    dir = await mkdtemp(join(tmpdir(), 'job-runner-'));
    await writeFile(join(dir, 'pw'), 'the-db-password\n', { mode: 0o600 });
    logFile = join(dir, 'log', LOG_FILE_NAME);
    targets = [
      { id: 'app', engine: 'sqlite', database: 'app', path: '/srv/app.db' },
      { id: 'crm', engine: 'sqlite', database: 'crm', path: '/srv/crm.db', passwordFile: join(dir, 'pw') },
    ];
  });
  afterEach(() => rm(dir, { recursive: true, force: true }));

  async function runner(backups: ManualBackups, now = () => new Date()) {
    let id = 0;
    const redactor = createRedactor();
    const log = createAgentLog({ dir: join(dir, 'log'), redact: redactor.redact });
    const jobs = createJobRunner({
      store: await createJobStore(join(dir, 'state')),
      targets,
      runBackup: backups.run,
      log,
      redactor,
      files: nodeConfigFiles,
      zstdPath: 'zstd',
      chunkSize: 262144,
      retentionDays: 30,
      now,
      newJobId: () => `job-${++id}`,
    });
    await jobs.recover();
    return jobs;
  }

  let logFile: string;
  const logText = () => readFile(logFile, 'utf8');

  it('runs a job to success, one target at a time, and logs its start and end', async () => {
    const backups = new ManualBackups();
    const jobs = await runner(backups);
    const accepted = await jobs.submit(request('app'));
    expect(accepted.state).toBe('queued');
    await expect(jobs.submit(request('app', 'run-2'))).rejects.toSatisfy(
      (error) => error instanceof JobConflictError && error.jobId === accepted.jobId,
    );
    const other = await jobs.submit(request('crm'));
    expect(other.jobId).not.toBe(accepted.jobId);
    await vi.waitFor(() =>
      expect(backups.calls.map((call) => call.request.targetId)).toEqual(['app', 'crm']),
    );
    backups.finish(ok);
    const done = await settled(() => jobs.get(accepted.jobId), logFile);
    expect(done).toMatchObject({ state: 'succeeded', bytesRead: 5, crc32c: 'AAAAAA==' });
    expect((await jobs.submit(request('app', 'run-3'))).state).toBe('queued');
    const events = (await logText())
      .trim()
      .split('\n')
      .map((line) => JSON.parse(line).event);
    expect(events.slice(0, 3)).toEqual(['job.started', 'job.started', 'job.succeeded']);
    await jobs.close();
  });

  it('refuses an unknown target', async () => {
    const jobs = await runner(new ManualBackups());
    await expect(jobs.submit(request('nope'))).rejects.toMatchObject({ code: 'TARGET_UNKNOWN' });
  });

  it('reads the password file at job time and keeps the password out of status and log', async () => {
    const backups = new ManualBackups();
    const jobs = await runner(backups);
    const { jobId } = await jobs.submit(request('crm'));
    // The job starts in the background: wait for the call rather than a fixed time.
    await vi.waitFor(() => expect(backups.calls).toHaveLength(1));
    expect(backups.calls[0]?.password).toBe('the-db-password');
    backups.finish({
      ...ok,
      ok: false,
      errorCode: 'DUMP_FAILED',
      errorMessage: 'access denied for the-db-password',
      stderrTail: ['the-db-password'],
    });
    const failed = await settled(() => jobs.get(jobId), logFile);
    expect(failed.state).toBe('failed');
    expect(JSON.stringify(failed)).not.toContain('the-db-password');
    expect(await logText()).not.toContain('the-db-password');
    expect(await logText()).toContain('"level":"error","event":"job.failed"');
  });

  it('reports a throwing backup as a failed job, not a lost one', async () => {
    const jobs = await runner(new ManualBackups());
    const throwing = createJobRunner({
      store: await createJobStore(join(dir, 'state')),
      targets,
      runBackup: () => Promise.reject(new BackupError('UPLOAD_FAILED', 'socket hang up')),
      log: createAgentLog({ dir: join(dir, 'log'), redact: (text) => text }),
      redactor: createRedactor(),
      files: nodeConfigFiles,
      zstdPath: 'zstd',
      chunkSize: 262144,
      retentionDays: 30,
      now: () => new Date(),
      newJobId: () => 'job-throw',
    });
    const { jobId } = await throwing.submit(request('app'));
    expect(await settled(() => throwing.get(jobId), logFile)).toMatchObject({
      state: 'failed',
      errorCode: 'UPLOAD_FAILED',
    });
    await jobs.close();
  });

  it('interrupts running jobs on close, and finds jobs by run and target', async () => {
    const backups = new ManualBackups();
    const jobs = await runner(backups);
    const { jobId } = await jobs.submit(request('app', 'run-7'));
    await vi.waitFor(() => expect(backups.calls).toHaveLength(1));
    await jobs.close();
    expect(jobs.get(jobId)).toMatchObject({ state: 'interrupted', errorCode: 'JOB_INTERRUPTED' });
    await expect(jobs.submit(request('crm'))).rejects.toBeInstanceOf(BackupError);
    expect(jobs.find({ runId: 'run-7', targetId: 'app' })?.jobId).toBe(jobId);
    expect(jobs.find({ runId: 'run-8' })).toBeUndefined();
  });

  it('turns jobs a previous process left queued or running into interrupted ones on recovery', async () => {
    const backups = new ManualBackups();
    const first = await runner(backups);
    const { jobId: runningId } = await first.submit(request('app'));
    const { jobId: doneId } = await first.submit(request('crm'));
    await vi.waitFor(() => expect(backups.calls).toHaveLength(2));
    backups.finish(ok); // the first call belongs to app; finish crm's below
    await settled(() => first.get(runningId), logFile);
    // A second runner on the same state folder while crm's job is still "running" on disk.
    const second = await runner(new ManualBackups());
    expect(second.get(runningId)?.state).toBe('succeeded');
    expect(second.get(doneId)).toMatchObject({ state: 'interrupted', errorCode: 'JOB_INTERRUPTED' });
    await first.close();
  });

  it('forgets finished jobs past the retention period, files included', async () => {
    const backups = new ManualBackups();
    const first = await runner(backups);
    const { jobId } = await first.submit(request('app'));
    await vi.waitFor(() => expect(backups.calls).toHaveLength(1));
    backups.finish(ok);
    await settled(() => first.get(jobId), logFile);
    await first.close();
    const soon = await runner(new ManualBackups(), () => new Date(Date.now() + 29 * 86_400_000));
    expect(soon.get(jobId)?.state).toBe('succeeded');
    const later = await runner(new ManualBackups(), () => new Date(Date.now() + 31 * 86_400_000));
    expect(later.get(jobId)).toBeUndefined();
    await expect(readFile(join(dir, 'state', 'jobs', `${jobId}.json`))).rejects.toThrow(/ENOENT/);
  });
});
