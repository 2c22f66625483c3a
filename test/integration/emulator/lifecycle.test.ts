// Lifecycle through the official client and the admin endpoint, run as of given times on an injected clock.
import type { Bucket, Storage } from '@google-cloud/storage';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { RunningEmulator } from '../../../emulator/index.js';
import { DAY_MS, emulatorOnClock, uniqueBucket } from './client.js';

let clock: { now: Date };
let emulator: RunningEmulator;
let storage: Storage;

beforeAll(async () => {
  ({ clock, emulator, storage } = await emulatorOnClock(new Date('2030-01-01T02:00:00.000Z')));
});

afterAll(async () => {
  await emulator.close();
});

async function versionsOf(bucket: Bucket): Promise<string[]> {
  const [files] = await bucket.getFiles({ versions: true });
  return files.map((file) => `${file.name}${file.metadata.timeDeleted ? ' (noncurrent)' : ''}`);
}

/** Runs lifecycle over the whole emulator and keeps what it did in `bucket`. */
async function changesIn(bucket: Bucket, at: Date) {
  const report = await emulator.runLifecycle(at);
  return report.changes.filter((change) => change.bucket === bucket.name);
}

describe('lifecycle configuration', () => {
  it('is set by insert and patch, returned by get, and removed', async () => {
    const [bucket] = await storage.createBucket(uniqueBucket(), {
      lifecycle: { rule: [{ action: { type: 'Delete' }, condition: { age: 30 } }] },
    });
    await bucket.addLifecycleRule({
      action: { type: 'SetStorageClass', storageClass: 'NEARLINE' },
      condition: { createdBefore: new Date('2030-06-01T00:00:00Z'), matchesSuffix: ['.gz'] },
    });
    expect((await bucket.getMetadata())[0].lifecycle?.rule).toEqual([
      { action: { type: 'Delete' }, condition: { age: 30 } },
      {
        action: { type: 'SetStorageClass', storageClass: 'NEARLINE' },
        condition: { createdBefore: '2030-06-01', matchesSuffix: ['.gz'] },
      },
    ]);
    await expect(
      bucket.setMetadata({
        lifecycle: { rule: [{ action: { type: 'Delete' }, condition: { age: -1 } }] },
      }),
    ).rejects.toMatchObject({ code: 400 });
    await bucket.setMetadata({ lifecycle: null });
    expect((await bucket.getMetadata())[0].lifecycle).toBeUndefined();
  });
});

describe('running lifecycle', () => {
  it('makes live objects past their customTime noncurrent, then removes noncurrent ones, in a versioned bucket', async () => {
    const [bucket] = await storage.createBucket(uniqueBucket(), {
      versioning: { enabled: true },
      lifecycle: {
        rule: [
          // Without isLive, this rule would also remove the noncurrent version on the next pass.
          {
            action: { type: 'Delete' },
            condition: { isLive: true, daysSinceCustomTime: 0, matchesPrefix: ['db/'] },
          },
          { action: { type: 'Delete' }, condition: { isLive: false, daysSinceNoncurrentTime: 1 } },
        ],
      },
    });
    const expires = new Date(clock.now.getTime() + 7 * DAY_MS).toISOString();
    await bucket.file('db/a.gz').save('a', { resumable: false, metadata: { customTime: expires } });
    await bucket.file('other/b.gz').save('b', { resumable: false, metadata: { customTime: expires } });
    await bucket.file('db/c.gz').save('c', { resumable: false });
    const before = await changesIn(bucket, new Date(clock.now.getTime() + 7 * DAY_MS - 1));
    expect(before).toEqual([]);
    const due = await changesIn(bucket, new Date(clock.now.getTime() + 7 * DAY_MS));
    expect(due).toEqual([expect.objectContaining({ name: 'db/a.gz', outcome: 'noncurrent' })]);
    expect(await versionsOf(bucket)).toEqual(['db/a.gz (noncurrent)', 'db/c.gz', 'other/b.gz']);
    // Through the admin endpoint: the noncurrent version goes once it has been noncurrent a whole day.
    const run = async (at: number) => {
      const response = await fetch(`${emulator.url}/_emulator/lifecycle`, {
        method: 'POST',
        body: JSON.stringify({ now: new Date(at).toISOString() }),
      });
      expect(response.status).toBe(200);
      const report = (await response.json()) as {
        changes: { bucket: string; name: string; outcome: string }[];
      };
      return report.changes.filter((change) => change.bucket === bucket.name);
    };
    expect(await run(clock.now.getTime() + 8 * DAY_MS - 1)).toEqual([]);
    expect(await run(clock.now.getTime() + 8 * DAY_MS)).toEqual([
      expect.objectContaining({ name: 'db/a.gz', outcome: 'deleted' }),
    ]);
    expect(await versionsOf(bucket)).toEqual(['db/c.gz', 'other/b.gz']);
    const refused = await fetch(`${emulator.url}/_emulator/lifecycle`, {
      method: 'POST',
      body: JSON.stringify({ now: 'yesterday' }),
    });
    expect(refused.status).toBe(400);
  });

  it('plays out 400 nights of backups that each expire after 7 days, keeping the last week', async () => {
    const [bucket] = await storage.createBucket(uniqueBucket(), {
      versioning: { enabled: true },
      lifecycle: {
        rule: [
          { action: { type: 'Delete' }, condition: { daysSinceCustomTime: 0 } },
          { action: { type: 'Delete' }, condition: { isLive: false, daysSinceNoncurrentTime: 0 } },
        ],
      },
    });
    const start = new Date('2031-01-01T02:00:00.000Z').getTime();
    let fewest = Number.POSITIVE_INFINITY;
    for (let night = 0; night < 400; night += 1) {
      clock.now = new Date(start + night * DAY_MS);
      const name = `db_${clock.now.toISOString().slice(0, 10).replaceAll('-', '')}.sql.gz`;
      const customTime = new Date(clock.now.getTime() + 7 * DAY_MS).toISOString();
      await bucket.file(name).save(name, { resumable: false, metadata: { customTime } });
      // Twice a night: the first makes expired copies noncurrent, the second removes them.
      await emulator.runLifecycle(clock.now);
      await emulator.runLifecycle(clock.now);
      const [live] = await bucket.getFiles();
      fewest = Math.min(fewest, live.length);
    }
    const [files] = await bucket.getFiles({ versions: true });
    expect(files.map((file) => file.name)).toEqual(
      Array.from({ length: 7 }, (_, i) => {
        const day = new Date(start + (393 + i) * DAY_MS).toISOString().slice(0, 10).replaceAll('-', '');
        return `db_${day}.sql.gz`;
      }),
    );
    expect(fewest).toBeGreaterThanOrEqual(1);
  });

  it('moves objects to a colder class, the coldest of the rules that match, never back', async () => {
    const [bucket] = await storage.createBucket(uniqueBucket(), {
      lifecycle: {
        rule: [
          { action: { type: 'SetStorageClass', storageClass: 'NEARLINE' }, condition: { age: 30 } },
          { action: { type: 'SetStorageClass', storageClass: 'COLDLINE' }, condition: { age: 90 } },
        ],
      },
    });
    const file = bucket.file('aging.bin');
    await file.save('old', { resumable: false });
    const created = Date.parse((await file.getMetadata())[0].timeCreated ?? '');
    await emulator.runLifecycle(new Date(created + 30 * DAY_MS));
    expect((await file.getMetadata())[0].storageClass).toBe('NEARLINE');
    expect(await changesIn(bucket, new Date(created + 90 * DAY_MS))).toEqual([
      expect.objectContaining({ outcome: 'storageClassChanged', storageClass: 'COLDLINE' }),
    ]);
    expect(await changesIn(bucket, new Date(created + 91 * DAY_MS))).toEqual([]);
    expect((await file.getMetadata())[0].storageClass).toBe('COLDLINE');
  });
});
