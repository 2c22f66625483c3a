import { mkdtemp, readdir, readFile, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { queuedStatus, runningStatus } from '../../../../agent/jobs/job-status.js';
import { createJobStore } from '../../../../agent/jobs/job-store.js';
import type { JobRequest } from '../../../../core/protocol.js';

const request: JobRequest = {
  runId: 'run-1',
  targetId: 'app',
  objectName: 'app_20250301.sql.gz',
  uploadUri: 'http://127.0.0.1:1/upload?upload_id=x',
  compression: { algorithm: 'gzip' },
};

describe('createJobStore', () => {
  let dir: string;
  beforeEach(async () => {
    dir = await mkdtemp(join(tmpdir(), 'job-store-'));
  });
  afterEach(() => rm(dir, { recursive: true, force: true }));

  it('writes one private JSON file per job and reads it back', async () => {
    const store = await createJobStore(dir);
    const queued = queuedStatus('job-1', request, new Date('2025-03-01T01:59:00.000Z'));
    await store.save(queued);
    const file = join(dir, 'jobs', 'job-1.json');
    expect(JSON.parse(await readFile(file, 'utf8'))).toEqual(queued);
    expect((await stat(file)).mode & 0o777).toBe(0o600);
    expect((await stat(join(dir, 'jobs'))).mode & 0o777).toBe(0o700);
    expect(await store.loadAll(() => {})).toEqual([queued]);
  });

  it('lands writes of one job in the order asked, leaving no temp file', async () => {
    const store = await createJobStore(dir);
    const queued = queuedStatus('job-1', request, new Date('2025-03-01T01:59:00.000Z'));
    const running = runningStatus(queued, new Date('2025-03-01T02:00:00Z'));
    await Promise.all([store.save(queued), store.save(running), store.save({ ...running, bytesRead: 7 })]);
    expect((await store.loadAll(() => {}))[0]?.bytesRead).toBe(7);
    expect(await readdir(join(dir, 'jobs'))).toEqual(['job-1.json']);
  });

  it('removes temp files a crash left and reports unreadable job files', async () => {
    const store = await createJobStore(dir);
    await store.save(queuedStatus('job-1', request, new Date('2025-03-01T01:59:00.000Z')));
    await writeFile(join(dir, 'jobs', 'job-1.json.123.1.tmp'), '{"half');
    await writeFile(join(dir, 'jobs', 'job-2.json'), '{"jobId": "job-2"}');
    const unreadable: string[] = [];
    const jobs = await store.loadAll((file) => unreadable.push(file));
    expect(jobs.map((job) => job.jobId)).toEqual(['job-1']);
    expect(unreadable).toEqual([join(dir, 'jobs', 'job-2.json')]);
    expect((await readdir(join(dir, 'jobs'))).sort()).toEqual(['job-1.json', 'job-2.json']);
  });
});
