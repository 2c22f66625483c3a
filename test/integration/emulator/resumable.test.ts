// Resumable sessions against the on-disk emulator: faults resumed by the official client, cancel, restart.
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Bucket, File } from '@google-cloud/storage';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { type RunningEmulator, startEmulator } from '../../../emulator/index.js';
import { bytes, crc32cOf, fingerprint, storageFor, uniqueBucket } from './client.js';

const KIB = 1024;
const CHUNK = 256 * KIB;

let dataDir: string;
let emulator: RunningEmulator;
let bucket: Bucket;

beforeAll(async () => {
  dataDir = await mkdtemp(join(tmpdir(), 'emulator-resumable-'));
  emulator = await startEmulator({ dataDir });
  [bucket] = await storageFor(emulator.url).createBucket(uniqueBucket());
});

afterEach(() => emulator.faults.clear());

afterAll(async () => {
  await emulator.close();
  await rm(dataDir, { recursive: true, force: true });
});

/** Uploads through a session opened create-only, the way the agent does. */
async function uploadThroughSession(file: File, data: Buffer, chunkSize = 4 * CHUNK): Promise<void> {
  const preconditionOpts = { ifGenerationMatch: 0 };
  const [uri] = await file.createResumableUpload({ preconditionOpts });
  await new Promise<void>((done, fail) => {
    const stream = file.createWriteStream({ uri, chunkSize, preconditionOpts });
    stream.on('error', fail).on('finish', done);
    stream.end(data);
  });
}

function sessionRequest(uri: string, init: RequestInit = {}): Promise<Response> {
  return fetch(uri, { method: 'PUT', ...init });
}

describe('faults during a resumable upload', () => {
  it('resumes after a 503 on one chunk', async () => {
    const data = bytes(3 * 4 * CHUNK + 1000, 11);
    const fault = emulator.faults.add({ method: 'PUT', match: /upload_id=/, nth: 2, status: 503 });
    const file = bucket.file('after-503.bin');
    await uploadThroughSession(file, data);
    expect(fault.matched).toBeGreaterThan(2);
    const [metadata] = await file.getMetadata();
    expect(metadata.crc32c).toBe(crc32cOf(data));
    expect(fingerprint((await file.download())[0])).toEqual(fingerprint(data));
  });

  it('resumes after the connection drops part-way through a chunk', async () => {
    const data = bytes(3 * 4 * CHUNK + 1000, 12);
    // Part of the dropped chunk is persisted, so the client must also skip ahead within its chunk.
    const fault = emulator.faults.add({
      method: 'PUT',
      match: /upload_id=/,
      nth: 2,
      dropAfterBytes: 600_000,
    });
    const file = bucket.file('after-drop.bin');
    await uploadThroughSession(file, data);
    expect(fault.matched).toBeGreaterThan(2);
    const [metadata] = await file.getMetadata();
    expect(metadata.crc32c).toBe(crc32cOf(data));
    expect(fingerprint((await file.download())[0])).toEqual(fingerprint(data));
  });

  it('adds latency and answers faults set through the admin endpoint', async () => {
    const added = await fetch(`${emulator.url}/_emulator/faults`, {
      method: 'POST',
      body: JSON.stringify({ method: 'GET', match: '/o/slow\\.txt', status: 500, delayMs: 200 }),
    });
    expect(added.status).toBe(201);
    const started = Date.now();
    const response = await fetch(`${emulator.url}/storage/v1/b/${bucket.name}/o/slow.txt`);
    expect(response.status).toBe(500);
    expect(((await response.json()) as { error: { code: number } }).error.code).toBe(500);
    expect(Date.now() - started).toBeGreaterThanOrEqual(190);
    expect((await fetch(`${emulator.url}/storage/v1/b/${bucket.name}/o/slow.txt`)).status).toBe(404);
  });
});

describe('session protocol', () => {
  async function openSession(name: string): Promise<string> {
    const [uri] = await bucket
      .file(name)
      .createResumableUpload({ preconditionOpts: { ifGenerationMatch: 0 } });
    return uri;
  }

  it('answers status queries with 308 and the persisted range, and finalizes on the last chunk', async () => {
    const uri = await openSession('protocol.bin');
    const empty = await sessionRequest(uri, { headers: { 'Content-Range': 'bytes */*' } });
    expect(empty.status).toBe(308);
    expect(empty.headers.get('range')).toBeNull();
    const data = bytes(CHUNK + 10, 13);
    const first = await sessionRequest(uri, {
      headers: { 'Content-Range': `bytes 0-${CHUNK - 1}/*` },
      body: data.subarray(0, CHUNK),
    });
    expect(first.status).toBe(308);
    expect(first.headers.get('range')).toBe(`bytes=0-${CHUNK - 1}`);
    const status = await sessionRequest(uri, { headers: { 'Content-Range': `bytes */${data.length}` } });
    expect(status.headers.get('range')).toBe(`bytes=0-${CHUNK - 1}`);
    const last = await sessionRequest(uri, {
      headers: { 'Content-Range': `bytes ${CHUNK}-${data.length - 1}/${data.length}` },
      body: data.subarray(CHUNK),
    });
    expect(last.status).toBe(200);
    expect(((await last.json()) as { crc32c: string }).crc32c).toBe(crc32cOf(data));
    // Asked again, a finished session answers with the object it made.
    const again = await sessionRequest(uri, { headers: { 'Content-Range': 'bytes */*' } });
    expect(again.status).toBe(200);
  });

  it('refuses a non-final chunk that is not a multiple of 256 KiB', async () => {
    const uri = await openSession('not-a-multiple.bin');
    const response = await sessionRequest(uri, {
      headers: { 'Content-Range': 'bytes 0-999/*' },
      body: bytes(1000),
    });
    expect(response.status).toBe(400);
  });

  it('cancels a session, which then answers 499 and leaves no object; unknown sessions answer 404', async () => {
    const uri = await openSession('cancelled.bin');
    await sessionRequest(uri, { headers: { 'Content-Range': `bytes 0-${CHUNK - 1}/*` }, body: bytes(CHUNK) });
    expect((await fetch(uri, { method: 'DELETE' })).status).toBe(499);
    const after = await sessionRequest(uri, { headers: { 'Content-Range': 'bytes */*' } });
    expect(after.status).toBe(499);
    expect((await bucket.file('cancelled.bin').exists())[0]).toBe(false);
    const unknown = uri.replace(/upload_id=[^&]+/, 'upload_id=nope');
    expect((await sessionRequest(unknown, { headers: { 'Content-Range': 'bytes */*' } })).status).toBe(404);
  });

  it('leaves no object for a session never finished', async () => {
    const uri = await openSession('unfinished.bin');
    await sessionRequest(uri, { headers: { 'Content-Range': `bytes 0-${CHUNK - 1}/*` }, body: bytes(CHUNK) });
    expect((await bucket.file('unfinished.bin').exists())[0]).toBe(false);
    const [files] = await bucket.getFiles({ prefix: 'unfinished' });
    expect(files).toHaveLength(0);
  });

  it('opens a create-only session over a live object and refuses its final chunk with 412', async () => {
    const file = bucket.file('exists-already.bin');
    await file.save('the live object', { resumable: false });
    const [live] = await file.getMetadata();
    const uri = await openSession(file.name);
    const data = bytes(CHUNK + 5, 15);
    const first = await sessionRequest(uri, {
      headers: { 'Content-Range': `bytes 0-${CHUNK - 1}/*` },
      body: data.subarray(0, CHUNK),
    });
    expect(first.status).toBe(308);
    const last = await sessionRequest(uri, {
      headers: { 'Content-Range': `bytes ${CHUNK}-${data.length - 1}/${data.length}` },
      body: data.subarray(CHUNK),
    });
    expect(last.status).toBe(412);
    expect(((await last.json()) as { error: { code: number } }).error.code).toBe(412);
    const [after] = await file.getMetadata();
    expect(after.generation).toBe(live.generation);
    expect((await file.download())[0].toString()).toBe('the live object');
  });

  it('checks preconditions again when the session finalizes', async () => {
    const uri = await openSession('raced.bin');
    await bucket.file('raced.bin').save('the rival won', { resumable: false });
    const response = await sessionRequest(uri, { headers: { 'Content-Range': 'bytes 0-2/3' }, body: 'abc' });
    expect(response.status).toBe(412);
    expect((await bucket.file('raced.bin').download())[0].toString()).toBe('the rival won');
  });

  it('keeps objects and open sessions across a restart', async () => {
    const data = bytes(2 * CHUNK + 77, 14);
    const file = bucket.file('across-restart.bin');
    const uri = await openSession(file.name);
    await sessionRequest(uri, {
      headers: { 'Content-Range': `bytes 0-${CHUNK - 1}/*` },
      body: data.subarray(0, CHUNK),
    });
    await emulator.close();
    emulator = await startEmulator({ dataDir, port: emulator.port });
    await new Promise<void>((done, fail) => {
      const stream = file.createWriteStream({
        uri,
        chunkSize: CHUNK,
        preconditionOpts: { ifGenerationMatch: 0 },
      });
      stream.on('error', fail).on('finish', done);
      stream.end(data);
    });
    expect((await file.getMetadata())[0].crc32c).toBe(crc32cOf(data));
    expect((await bucket.file('after-503.bin').exists())[0]).toBe(true);
  });
});
