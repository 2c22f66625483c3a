// customTime through the official client: set at upload (multipart and resumable) and by patch, only forward.
import type { Bucket } from '@google-cloud/storage';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type RunningEmulator, startEmulator } from '../../../emulator/index.js';
import { bytes, storageFor, uniqueBucket } from './client.js';

let emulator: RunningEmulator;
let bucket: Bucket;

beforeAll(async () => {
  emulator = await startEmulator();
  [bucket] = await storageFor(emulator.url).createBucket(uniqueBucket(), { versioning: { enabled: true } });
});

afterAll(async () => {
  await emulator.close();
});

describe('customTime', () => {
  it('is set by a multipart upload and by a resumable session, and rendered in the resource', async () => {
    const multipart = bucket.file('multipart.txt');
    await multipart.save('m', { resumable: false, metadata: { customTime: '2031-01-01T00:00:00+01:00' } });
    expect((await multipart.getMetadata())[0].customTime).toBe('2030-12-31T23:00:00.000Z');
    const resumable = bucket.file('resumable.bin');
    await new Promise<void>((done, fail) => {
      const stream = resumable.createWriteStream({
        resumable: true,
        metadata: { customTime: '2031-02-01T00:00:00Z' },
        preconditionOpts: { ifGenerationMatch: 0 },
      });
      stream.on('error', fail).on('finish', done);
      stream.end(bytes(300 * 1024, 51));
    });
    expect((await resumable.getMetadata())[0].customTime).toBe('2031-02-01T00:00:00.000Z');
  });

  it('moves forward by patch and refuses a move back or a removal with 400, keeping the value', async () => {
    const file = bucket.file('forward.txt');
    await file.save('f', { resumable: false });
    expect((await file.getMetadata())[0].customTime).toBeUndefined();
    await file.setMetadata({ customTime: '2030-06-01T00:00:00Z' });
    const [moved] = await file.setMetadata({ customTime: '2030-07-01T00:00:00Z' });
    expect(moved.customTime).toBe('2030-07-01T00:00:00.000Z');
    await expect(file.setMetadata({ customTime: '2030-06-15T00:00:00Z' })).rejects.toMatchObject({
      code: 400,
      message:
        'Custom time cannot be decreased. Previously: 2030-07-01T00:00:00+00:00. Attempting to set: 2030-06-15T00:00:00+00:00.',
    });
    // The client's types forbid null, which the JSON API reads as "remove".
    await expect(file.setMetadata({ customTime: null as unknown as string })).rejects.toMatchObject({
      code: 400,
    });
    await expect(file.setMetadata({ customTime: 'next week' })).rejects.toMatchObject({ code: 400 });
    expect((await file.getMetadata())[0].customTime).toBe('2030-07-01T00:00:00.000Z');
  });

  it('starts afresh with a new generation, which may carry an earlier customTime', async () => {
    const file = bucket.file('replaced.txt');
    await file.save('one', { resumable: false, metadata: { customTime: '2030-09-01T00:00:00Z' } });
    await file.save('two', { resumable: false, metadata: { customTime: '2030-01-01T00:00:00Z' } });
    expect((await file.getMetadata())[0].customTime).toBe('2030-01-01T00:00:00.000Z');
  });
});
