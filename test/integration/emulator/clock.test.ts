// The injected clock: object and bucket times follow it, and generations keep increasing when it goes back.
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { startEmulator } from '../../../emulator/index.js';
import { storageFor, uniqueBucket } from './client.js';

describe('the emulator clock', () => {
  it('stamps times from the injected clock and keeps generations increasing, also across a restart', async () => {
    const dataDir = await mkdtemp(join(tmpdir(), 'emulator-clock-'));
    let now = new Date('2030-01-01T02:00:00.000Z');
    let emulator = await startEmulator({ dataDir, now: () => now });
    try {
      const [bucket] = await storageFor(emulator.url).createBucket(uniqueBucket(), {
        versioning: { enabled: true },
      });
      expect((await bucket.getMetadata())[0].timeCreated).toBe('2030-01-01T02:00:00.000Z');
      const file = bucket.file('timed.txt');
      await file.save('one', { resumable: false });
      const [first] = await file.getMetadata();
      expect(first.timeCreated).toBe('2030-01-01T02:00:00.000Z');
      now = new Date('2030-01-02T03:00:00.000Z');
      const [patched] = await file.setMetadata({ metadata: { a: 'b' } });
      expect(patched.updated).toBe('2030-01-02T03:00:00.000Z');
      // The clock goes back a year: a new generation is still newer than every earlier one.
      now = new Date('2029-01-01T00:00:00.000Z');
      await file.save('two', { resumable: false });
      const [second] = await file.getMetadata();
      expect(second.timeCreated).toBe('2029-01-01T00:00:00.000Z');
      expect(BigInt(second.generation ?? 0)).toBeGreaterThan(BigInt(first.generation ?? 0));
      await file.delete({ ifGenerationMatch: Number(second.generation) });
      await bucket.file('timed.txt', { generation: Number(second.generation) }).delete();
      await emulator.close();
      emulator = await startEmulator({ dataDir, now: () => now, port: emulator.port });
      await storageFor(emulator.url)
        .bucket(bucket.name)
        .file('timed.txt')
        .save('three', { resumable: false });
      const [third] = await storageFor(emulator.url).bucket(bucket.name).file('timed.txt').getMetadata();
      expect(BigInt(third.generation ?? 0)).toBeGreaterThan(BigInt(second.generation ?? 0));
    } finally {
      await emulator.close();
      await rm(dataDir, { recursive: true, force: true });
    }
  });
});
