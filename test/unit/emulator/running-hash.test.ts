// Hashes kept while bytes are stored: equal to hashing the stored bytes, also after a cut back or a lost state.
import { createHash } from 'node:crypto';
import { Readable } from 'node:stream';
import { CRC32C } from '@google-cloud/storage';
import { describe, expect, it } from 'vitest';
import { ActiveUploads } from '../../../emulator/active-uploads.js';
import { RunningHash } from '../../../emulator/running-hash.js';
import { MemoryStore } from '../../../emulator/store/memory-store.js';

const UNIT = 16;

function expected(bytes: Buffer) {
  const crc = new CRC32C();
  crc.update(bytes);
  return {
    crc32c: crc.toString(),
    md5Hash: createHash('md5').update(bytes).digest('base64'),
    size: bytes.length,
  };
}

const data = Buffer.from(Array.from({ length: 100 }, (_, i) => (i * 37 + 11) % 256));

/** Feeds `bytes` in pieces of `size`, so unit boundaries fall inside and between pieces. */
function feed(hash: RunningHash, bytes: Buffer, size: number): void {
  for (let at = 0; at < bytes.length; at += size) hash.update(bytes.subarray(at, at + size));
}

describe('RunningHash', () => {
  it('equals the hashes of the whole bytes however they were split, and digest leaves it running', () => {
    for (const size of [1, 7, 16, 33, 100]) {
      const hash = new RunningHash(UNIT);
      feed(hash, data.subarray(0, 50), size);
      expect(hash.digest()).toEqual(expected(data.subarray(0, 50)));
      feed(hash, data.subarray(50), size);
      expect(hash.digest()).toEqual(expected(data));
    }
  });

  it('winds back to the last whole unit and to where the append started, and to nothing else', () => {
    const hash = new RunningHash(UNIT);
    feed(hash, data.subarray(0, 32), 32);
    hash.markStart();
    feed(hash, data.subarray(32, 75), 10);
    expect(hash.rewind(64)).toBe(true);
    expect(hash.digest()).toEqual(expected(data.subarray(0, 64)));
    expect(hash.rewind(32)).toBe(true);
    expect(hash.digest()).toEqual(expected(data.subarray(0, 32)));
    feed(hash, data.subarray(32, 40), 8);
    expect(hash.rewind(20)).toBe(false);
    expect(hash.digest()).toEqual(expected(data.subarray(0, 40)));
  });
});

/** A memory store that counts how often staged bytes are read back. */
class CountingStore extends MemoryStore {
  reads = 0;
  override readStaged(id: string): Readable {
    this.reads += 1;
    return super.readStaged(id);
  }
}

describe('ActiveUploads', () => {
  it('reads staged bytes back only when the running hash was lost or cannot be wound back', async () => {
    const store = new CountingStore();
    await store.append('s', Readable.from([data.subarray(0, 48)]));
    const uploads = new ActiveUploads(store, UNIT);
    // As after a restart: nothing in memory, so the stored bytes are hashed once.
    const resumed = await uploads.hashOf('s', 48);
    expect(store.reads).toBe(1);
    resumed.markStart();
    resumed.update(data.subarray(48, 90));
    await store.append('s', Readable.from([data.subarray(48, 90)]));
    expect((await uploads.hashOf('s', 90)).digest()).toEqual(expected(data.subarray(0, 90)));
    await store.truncate('s', 80);
    uploads.rewind('s', 80);
    expect((await uploads.hashOf('s', 80)).digest()).toEqual(expected(data.subarray(0, 80)));
    expect(store.reads).toBe(1);
    await store.truncate('s', 70);
    uploads.rewind('s', 70);
    expect((await uploads.hashOf('s', 70)).digest()).toEqual(expected(data.subarray(0, 70)));
    expect(store.reads).toBe(2);
  });

  it('runs the requests of one session one after the other', async () => {
    const uploads = new ActiveUploads(new MemoryStore(), UNIT);
    const order: string[] = [];
    const slow = uploads.inTurn('s', async () => {
      await new Promise((done) => setTimeout(done, 20));
      order.push('first');
      throw new Error('broken');
    });
    const next = uploads.inTurn('s', async () => order.push('second'));
    await expect(slow).rejects.toThrow('broken');
    await next;
    expect(order).toEqual(['first', 'second']);
  });
});
