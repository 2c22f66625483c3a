// Conformance of the emulator with the official @google-cloud/storage client.
import { createHash } from 'node:crypto';
import type { Bucket, Storage } from '@google-cloud/storage';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type RunningEmulator, startEmulator } from '../../../emulator/index.js';
import { bytes, crc32cOf, fingerprint, storageFor, uniqueBucket } from './client.js';

const KIB = 1024;

let emulator: RunningEmulator;
let storage: Storage;
let bucket: Bucket;

beforeAll(async () => {
  emulator = await startEmulator();
  storage = storageFor(emulator.url);
  [bucket] = await storage.createBucket(uniqueBucket());
});

afterAll(async () => {
  await emulator.close();
});

async function upload(name: string, data: Buffer, options: Parameters<Bucket['file']>[1] & object = {}) {
  const file = bucket.file(name, options);
  await new Promise<void>((done, fail) => {
    const stream = file.createWriteStream({ resumable: true, chunkSize: 256 * KIB });
    stream.on('error', fail).on('finish', done);
    stream.end(data);
  });
  return file;
}

describe('buckets', () => {
  it('creates, gets and lists buckets, and refuses a duplicate', async () => {
    const name = uniqueBucket();
    await storage.createBucket(name);
    const [metadata] = await storage.bucket(name).getMetadata();
    expect(metadata.name).toBe(name);
    const [buckets] = await storage.getBuckets();
    expect(buckets.map((b) => b.name)).toContain(name);
    await expect(storage.createBucket(name)).rejects.toMatchObject({ code: 409 });
    await expect(storage.bucket('missing-bucket').getMetadata()).rejects.toMatchObject({ code: 404 });
  });
});

describe('uploads and downloads', () => {
  it('saves with a multipart upload and reports crc32c and md5 of the bytes', async () => {
    const data = Buffer.from('hello emulator');
    const file = bucket.file('simple.txt');
    await file.save(data, { resumable: false, contentType: 'text/plain' });
    const [metadata] = await file.getMetadata();
    expect(metadata.crc32c).toBe(crc32cOf(data));
    expect(metadata.md5Hash).toBe(createHash('md5').update(data).digest('base64'));
    expect(metadata.contentType).toBe('text/plain');
    expect(fingerprint((await file.download())[0])).toEqual(fingerprint(data));
  });

  it('saves with a resumable upload by default', async () => {
    const data = bytes(10_000);
    const file = bucket.file('resumable-save.bin');
    await file.save(data);
    expect(fingerprint((await file.download())[0])).toEqual(fingerprint(data));
  });

  it('streams a resumable upload in several chunks', async () => {
    const data = bytes(1024 * KIB + 123, 2);
    const file = await upload('chunked.bin', data);
    const [metadata] = await file.getMetadata();
    expect(Number(metadata.size)).toBe(data.length);
    expect(metadata.crc32c).toBe(crc32cOf(data));
    expect(fingerprint((await file.download())[0])).toEqual(fingerprint(data));
  });

  it('continues an existing session by its uri, from what the service persisted', async () => {
    const data = bytes(700 * KIB, 3);
    const file = bucket.file('continued.bin');
    const [uri] = await file.createResumableUpload({ preconditionOpts: { ifGenerationMatch: 0 } });
    // The first writer sends half and stops, as a process that crashed would.
    await new Promise<void>((done, fail) => {
      const first = file.createWriteStream({ uri, chunkSize: 256 * KIB, isPartialUpload: true });
      first.on('error', fail).on('finish', done);
      first.end(data.subarray(0, 512 * KIB));
    });
    expect((await file.exists())[0]).toBe(false);
    // The second writer is given all the bytes and skips what the status query says is there.
    await new Promise<void>((done, fail) => {
      const second = file.createWriteStream({
        uri,
        chunkSize: 256 * KIB,
        preconditionOpts: { ifGenerationMatch: 0 },
      });
      second.on('error', fail).on('finish', done);
      second.end(data);
    });
    const [metadata] = await file.getMetadata();
    expect(metadata.crc32c).toBe(crc32cOf(data));
  });

  it('refuses a second create-only upload of a name with 412 when it finalizes, resumable or not', async () => {
    const file = bucket.file('create-only.txt');
    await file.save('first', { preconditionOpts: { ifGenerationMatch: 0 } });
    // The client reports a refused final chunk as an ApiError with `code`, not a GaxiosError with `status`.
    await expect(file.save('second', { preconditionOpts: { ifGenerationMatch: 0 } })).rejects.toMatchObject({
      code: 412,
    });
    await expect(
      file.save('second', { resumable: false, preconditionOpts: { ifGenerationMatch: 0 } }),
    ).rejects.toMatchObject({ code: 412 });
    // Opening the session succeeds: the precondition is checked when the upload completes.
    const [uri] = await file.createResumableUpload({ preconditionOpts: { ifGenerationMatch: 0 } });
    expect(uri).toContain('upload_id=');
    expect((await file.download())[0].toString()).toBe('first');
  });

  it('serves byte ranges', async () => {
    const data = bytes(300 * KIB, 4);
    const file = await upload('ranged.bin', data);
    expect((await file.download({ start: 10, end: 19 }))[0]).toEqual(data.subarray(10, 20));
    expect(fingerprint((await file.download({ start: 200 * KIB }))[0])).toEqual(
      fingerprint(data.subarray(200 * KIB)),
    );
  });

  it('rejects bytes whose hash differs from the one the client claims, leaving no object', async () => {
    const file = bucket.file('bad-hash.txt');
    await expect(
      file.save('some bytes', { resumable: false, metadata: { md5Hash: 'AAAAAAAAAAAAAAAAAAAAAA==' } }),
    ).rejects.toMatchObject({ code: 400 });
    const response = await fetch(
      `${emulator.url}/upload/storage/v1/b/${bucket.name}/o?uploadType=media&name=bad-hash.txt`,
      {
        method: 'POST',
        headers: { 'x-goog-hash': 'crc32c=AAAAAA==' },
        body: 'some bytes',
      },
    );
    expect(response.status).toBe(400);
    expect((await file.exists())[0]).toBe(false);
  });

  it('copies an object', async () => {
    const source = await upload('copy-source.bin', bytes(1000, 5));
    const [copy] = await source.copy(bucket.file('copy-target.bin'));
    expect((await copy.download())[0]).toEqual(bytes(1000, 5));
  });
});

describe('listing', () => {
  const names = [
    'list/a.txt',
    'list/b.txt',
    'list/dir/c.txt',
    'list/dir/d.txt',
    'list/e.txt',
    'list/z/f.txt',
  ];

  beforeAll(async () => {
    await Promise.all(names.map((name) => bucket.file(name).save(name, { resumable: false })));
  });

  it('lists by prefix across pages', async () => {
    const seen: string[] = [];
    let query: { prefix: string; maxResults: number; autoPaginate: false; pageToken?: string } | null = {
      prefix: 'list/',
      maxResults: 2,
      autoPaginate: false,
    };
    let pages = 0;
    while (query) {
      const [files, next] = await bucket.getFiles(query);
      seen.push(...files.map((file) => file.name));
      query = next as typeof query;
      pages += 1;
    }
    expect(seen).toEqual(names);
    expect(pages).toBe(3);
  });

  it('folds names under a delimiter into prefixes, also across pages', async () => {
    const [files, , response] = await bucket.getFiles({
      prefix: 'list/',
      delimiter: '/',
      autoPaginate: false,
    });
    expect(files.map((file) => file.name)).toEqual(['list/a.txt', 'list/b.txt', 'list/e.txt']);
    expect((response as { prefixes: string[] }).prefixes).toEqual(['list/dir/', 'list/z/']);
    const prefixes: string[] = [];
    let pageToken: string | undefined;
    do {
      const [, next, page] = await bucket.getFiles({
        prefix: 'list/',
        delimiter: '/',
        maxResults: 1,
        autoPaginate: false,
        pageToken,
      });
      prefixes.push(...((page as { prefixes?: string[] }).prefixes ?? []));
      pageToken = (next as { pageToken?: string } | null)?.pageToken;
    } while (pageToken);
    expect(prefixes).toEqual(['list/dir/', 'list/z/']);
  });
});

describe('metadata and deletion', () => {
  it('patches metadata with metageneration preconditions', async () => {
    const file = bucket.file('meta.txt');
    await file.save('meta', { resumable: false });
    const [patched] = await file.setMetadata({
      contentType: 'text/csv',
      metadata: { owner: 'tests', gone: 'x' },
    });
    expect(patched.metageneration).toBe('2');
    expect(patched.metadata).toEqual({ owner: 'tests', gone: 'x' });
    const [cleared] = await file.setMetadata({ metadata: { gone: null } });
    expect(cleared.metadata).toEqual({ owner: 'tests' });
    await expect(
      file.setMetadata({ contentType: 'text/plain' }, { ifMetagenerationMatch: 1 }),
    ).rejects.toMatchObject({ code: 412 });
    expect((await file.getMetadata())[0].contentType).toBe('text/csv');
  });

  it('deletes, with generation preconditions, and answers 404 after', async () => {
    const file = bucket.file('delete-me.txt');
    await file.save('bye', { resumable: false });
    const [metadata] = await file.getMetadata();
    await expect(file.delete({ ifGenerationMatch: Number(metadata.generation) + 1 })).rejects.toMatchObject({
      code: 412,
    });
    await file.delete({ ifGenerationMatch: Number(metadata.generation) });
    expect((await file.exists())[0]).toBe(false);
    await expect(file.delete()).rejects.toMatchObject({ code: 404 });
  });

  it('keeps noncurrent versions in a bucket with versioning', async () => {
    const [versioned] = await storage.createBucket(uniqueBucket(), { versioning: { enabled: true } });
    const file = versioned.file('v.txt');
    await file.save('one', { resumable: false });
    const [first] = await file.getMetadata();
    await file.save('two', { resumable: false });
    await file.delete();
    expect((await file.exists())[0]).toBe(false);
    const [versions] = await versioned.getFiles({ versions: true });
    expect(versions).toHaveLength(2);
    const old = versioned.file('v.txt', { generation: Number(first.generation) });
    expect((await old.download())[0].toString()).toBe('one');
  });

  it('reads the versions flag in any case, as gcloud sends True, and refuses what is not a boolean', async () => {
    const [versioned] = await storage.createBucket(uniqueBucket(), { versioning: { enabled: true } });
    const file = versioned.file('flag.txt');
    await file.save('one', { resumable: false });
    await file.save('two', { resumable: false });
    const list = (query: string) =>
      fetch(`${emulator.url}/storage/v1/b/${versioned.name}/o?${query}`).then(async (response) => ({
        status: response.status,
        body: (await response.json()) as { items?: { generation: string }[]; error?: { message: string } },
      }));
    for (const value of ['True', 'true', 'TRUE']) {
      expect((await list(`versions=${value}`)).body.items).toHaveLength(2);
    }
    for (const query of ['versions=False', 'versions=false', '']) {
      expect((await list(query)).body.items).toHaveLength(1);
    }
    const refused = await list('versions=yes');
    expect(refused.status).toBe(400);
    expect(refused.body.error?.message).toContain('versions');
  });
});
