// One contract for the blob stores, run against the memory store and the disk store alike.
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { afterAll, describe, expect, it } from 'vitest';
import type { BlobStore } from '../../../emulator/store/blob-store.js';
import { DiskStore } from '../../../emulator/store/disk-store.js';
import { MemoryStore } from '../../../emulator/store/memory-store.js';

const folders: string[] = [];

afterAll(async () => {
  await Promise.all(folders.map((folder) => rm(folder, { recursive: true, force: true })));
});

async function text(stream: Readable): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const chunk of stream) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks).toString();
}

/** A body that delivers some chunks and then breaks off, as a dropped connection does. */
function brokenBody(...chunks: string[]): Readable {
  return Readable.from(
    (async function* () {
      for (const chunk of chunks) yield Buffer.from(chunk);
      throw new Error('connection lost');
    })(),
  );
}

const stores: [string, () => Promise<BlobStore>][] = [
  ['memory', async () => new MemoryStore()],
  [
    'disk',
    async () => {
      const folder = await mkdtemp(join(tmpdir(), 'emulator-store-'));
      folders.push(folder);
      return DiskStore.open(folder);
    },
  ],
];

describe.each(stores)('%s store', (_kind, open) => {
  it('appends to a staged blob across calls and reports its length', async () => {
    const store = await open();
    expect(await store.stagedLength('a')).toBe(0);
    await store.append('a', Readable.from([Buffer.from('hello ')]));
    await store.append('a', Readable.from([Buffer.from('world')]));
    expect(await store.stagedLength('a')).toBe(11);
    expect(await text(store.readStaged('a'))).toBe('hello world');
    expect(await store.listStaged()).toEqual(['a']);
  });

  it('keeps what arrived before a body broke off, and truncates', async () => {
    const store = await open();
    await expect(store.append('b', brokenBody('abc', 'def'))).rejects.toThrow('connection lost');
    expect(await store.stagedLength('b')).toBe(6);
    await store.truncate('b', 4);
    expect(await text(store.readStaged('b'))).toBe('abcd');
  });

  it('commits a staged blob, reads it whole and by range, and removes it', async () => {
    const store = await open();
    await store.append('c', Readable.from([Buffer.from('0123456789')]));
    await store.commit('c');
    expect(await store.listStaged()).toEqual([]);
    expect(await text(store.read('c'))).toBe('0123456789');
    expect(await text(store.read('c', { start: 2, end: 4 }))).toBe('234');
    await store.remove('c');
    await store.append('d', Readable.from([]));
    await store.discardStaged('d');
    expect(await store.listStaged()).toEqual([]);
  });

  it('saves and loads the catalog', async () => {
    const store = await open();
    expect(await store.loadCatalog()).toBeUndefined();
    await store.saveCatalog('{"one":1}');
    await store.saveCatalog('{"two":2}');
    expect(await store.loadCatalog()).toBe('{"two":2}');
  });
});
