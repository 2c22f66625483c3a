// The job table with restores in it, the kind whose jobs the backup runner's tests do not reach: a finished restore
// whose scratch database is still there outlives its retention, and a running job's counts are shown before they
// are on disk.
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createStateStore } from '../../../../agent/jobs/job-store.js';
import { createJobTable } from '../../../../agent/jobs/job-table.js';
import { createAgentLog } from '../../../../agent/log/agent-log.js';
import { queuedRestore, RESTORE_JOBS } from '../../../../agent/restore/restore-status.js';
import { type RestoreStatus, restoreStatusSchema } from '../../../../core/restore-protocol.js';

let dir: string;
beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), 'job-table-'));
});
afterEach(() => rm(dir, { recursive: true, force: true }));

const DAY = 86_400_000;

async function table(now: () => Date) {
  return createJobTable<RestoreStatus>({
    kind: RESTORE_JOBS,
    store: await createStateStore(join(dir, 'restores'), restoreStatusSchema),
    log: createAgentLog({ dir: join(dir, 'log'), redact: (text) => text }),
    now,
    retentionDays: 30,
  });
}

function restore(jobId: string, scratch: RestoreStatus['scratch'], endedAt: Date): RestoreStatus {
  const queued = queuedRestore(
    {
      jobId,
      runId: 'run-1',
      targetId: 'clinic',
      objectName: 'clinic_20260101.sql.gz',
      scratchDatabase: 'x',
      keep: false,
    },
    endedAt,
  );
  return { ...queued, state: 'failed', scratch, endedAt: endedAt.toISOString() };
}

describe('a job table', () => {
  it('forgets finished restores past their retention, but not one whose scratch database is still there', async () => {
    const ended = new Date('2026-01-01T00:00:00.000Z');
    const first = await table(() => ended);
    await first.update(restore('dropped', 'dropped', ended));
    await first.update(restore('left', 'created', ended));
    await first.close();
    const later = await table(() => new Date(ended.getTime() + 31 * DAY));
    await later.recover();
    expect(later.all().map((status) => status.jobId)).toEqual(['left']);
    await expect(readFile(join(dir, 'restores', 'dropped.json'))).rejects.toThrow(/ENOENT/);
  });

  it("shows a running job's counts at once, and writes them at most every few seconds", async () => {
    const jobs = await table(() => new Date());
    const running: RestoreStatus = { ...restore('r-1', 'created', new Date()), state: 'running' };
    await jobs.admit([running]);
    const onDisk = async () =>
      JSON.parse(await readFile(join(dir, 'restores', 'r-1.json'), 'utf8')).bytesDownloaded as number;
    jobs.progress({ ...running, bytesDownloaded: 10 });
    jobs.progress({ ...running, bytesDownloaded: 20 });
    expect(jobs.get('r-1')?.bytesDownloaded).toBe(20);
    await new Promise((resolve) => setTimeout(resolve, 50));
    expect(await onDisk()).toBe(10);
    await jobs.close();
  });
});
