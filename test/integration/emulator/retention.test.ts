// A bucket retention policy through the official client: young objects cannot be deleted or replaced.
import type { Storage } from '@google-cloud/storage';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { RunningEmulator } from '../../../emulator/index.js';
import { DAY_MS, emulatorOnClock, uniqueBucket } from './client.js';

let clock: { now: Date };
let emulator: RunningEmulator;
let storage: Storage;

beforeAll(async () => {
  ({ clock, emulator, storage } = await emulatorOnClock(new Date('2030-03-01T00:00:00.000Z')));
});

afterAll(async () => {
  await emulator.close();
});

const retentionPolicy = { retentionPeriod: String(2 * 24 * 60 * 60) };
const refusal = { code: 403, errors: [expect.objectContaining({ reason: 'retentionPolicyNotMet' })] };

describe('retention policy', () => {
  it('refuses deleting or replacing a young object in a bucket without versioning, until the period ends', async () => {
    clock.now = new Date('2030-03-01T00:00:00.000Z');
    const [bucket] = await storage.createBucket(uniqueBucket(), { retentionPolicy });
    expect((await bucket.getMetadata())[0].retentionPolicy).toMatchObject({ retentionPeriod: '172800' });
    const file = bucket.file('kept.txt');
    await file.save('original', { resumable: false });
    expect((await file.getMetadata())[0].retentionExpirationTime).toBe('2030-03-03T00:00:00.000Z');
    clock.now = new Date('2030-03-02T23:59:59.000Z');
    await expect(file.delete()).rejects.toMatchObject({
      ...refusal,
      message: `Object '${bucket.name}/kept.txt' is subject to bucket's retention policy or object retention and cannot be deleted or overwritten until 2030-03-03T00:00:00.000Z`,
    });
    await expect(file.save('replacement', { resumable: false })).rejects.toMatchObject(refusal);
    expect((await file.download())[0].toString()).toBe('original');
    clock.now = new Date('2030-03-03T00:00:00.000Z');
    await file.delete();
    expect((await file.exists())[0]).toBe(false);
  });

  it('lets a versioned bucket make a young object noncurrent but not remove any generation for good', async () => {
    clock.now = new Date('2030-04-01T00:00:00.000Z');
    const [bucket] = await storage.createBucket(uniqueBucket(), {
      versioning: { enabled: true },
      retentionPolicy,
      lifecycle: {
        rule: [{ action: { type: 'Delete' }, condition: { isLive: false, daysSinceNoncurrentTime: 0 } }],
      },
    });
    const file = bucket.file('versioned.txt');
    await file.save('one', { resumable: false });
    const [first] = await file.getMetadata();
    await file.save('two', { resumable: false });
    await file.delete();
    const old = bucket.file('versioned.txt', { generation: Number(first.generation) });
    await expect(old.delete()).rejects.toMatchObject(refusal);
    const early = await emulator.runLifecycle(new Date(clock.now.getTime() + DAY_MS));
    expect(early.changes.filter((change) => change.bucket === bucket.name)).toEqual([]);
    expect(early.retained.filter((kept) => kept.bucket === bucket.name)).toEqual([
      expect.objectContaining({ generation: first.generation, retainedUntil: '2030-04-03T00:00:00.000Z' }),
      expect.objectContaining({ name: 'versioned.txt' }),
    ]);
    const late = await emulator.runLifecycle(new Date(clock.now.getTime() + 2 * DAY_MS));
    expect(
      late.changes.filter((change) => change.bucket === bucket.name).map((change) => change.outcome),
    ).toEqual(['deleted', 'deleted']);
  });

  it('is removed by a patch with null', async () => {
    const [bucket] = await storage.createBucket(uniqueBucket(), { retentionPolicy });
    await bucket.setMetadata({ retentionPolicy: null });
    expect((await bucket.getMetadata())[0].retentionPolicy).toBeUndefined();
    await expect(bucket.setMetadata({ retentionPolicy: { retentionPeriod: '-5' } })).rejects.toMatchObject({
      code: 400,
    });
  });
});
