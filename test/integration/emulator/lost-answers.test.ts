// Lost answers and hung connections: an upload finalized whose answer never arrived, and requests that stall.
import type { Bucket } from '@google-cloud/storage';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { type RunningEmulator, startEmulator } from '../../../emulator/index.js';
import { bytes, crc32cOf, fingerprint, storageFor, uniqueBucket } from './client.js';

const CHUNK = 256 * 1024;

let emulator: RunningEmulator;
let bucket: Bucket;

beforeAll(async () => {
  emulator = await startEmulator();
  [bucket] = await storageFor(emulator.url).createBucket(uniqueBucket(), { versioning: { enabled: true } });
});

afterEach(() => emulator.faults.clear());

afterAll(async () => {
  await emulator.close();
});

async function openSession(name: string): Promise<string> {
  const [uri] = await bucket.file(name).createResumableUpload({ preconditionOpts: { ifGenerationMatch: 0 } });
  return uri;
}

function put(uri: string, contentRange: string, body?: Buffer, signal?: AbortSignal): Promise<Response> {
  return fetch(uri, { method: 'PUT', headers: { 'Content-Range': contentRange }, body, signal });
}

describe('dropResponse', () => {
  it('finalizes the object, loses the answer, and then answers status queries with the object', async () => {
    const data = bytes(CHUNK + 321, 31);
    const uri = await openSession('lost-final.bin');
    expect((await put(uri, `bytes 0-${CHUNK - 1}/*`, data.subarray(0, CHUNK))).status).toBe(308);
    const fault = emulator.faults.add({ method: 'PUT', match: /upload_id=/, dropResponse: true });
    await expect(
      put(uri, `bytes ${CHUNK}-${data.length - 1}/${data.length}`, data.subarray(CHUNK)),
    ).rejects.toThrow();
    expect(fault.matched).toBe(1);
    const file = bucket.file('lost-final.bin');
    const [metadata] = await file.getMetadata();
    expect(metadata.crc32c).toBe(crc32cOf(data));
    expect(fingerprint((await file.download())[0])).toEqual(fingerprint(data));
    for (const query of [`bytes */${data.length}`, 'bytes */*']) {
      const status = await put(uri, query);
      expect(status.status).toBe(200);
      const object = (await status.json()) as { generation: string; crc32c: string; size: string };
      expect(object).toMatchObject({
        generation: metadata.generation,
        crc32c: crc32cOf(data),
        size: String(data.length),
      });
    }
  });

  it('applies a patch whose answer is lost, with the fault set through the admin endpoint', async () => {
    const file = bucket.file('lost-patch.txt');
    await file.save('x', { resumable: false });
    const added = await fetch(`${emulator.url}/_emulator/faults`, {
      method: 'POST',
      body: JSON.stringify({ method: 'PATCH', dropResponse: true }),
    });
    expect(added.status).toBe(201);
    const response = fetch(`${emulator.url}/storage/v1/b/${bucket.name}/o/lost-patch.txt`, {
      method: 'PATCH',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ metadata: { seen: 'yes' } }),
    });
    await expect(response).rejects.toThrow();
    expect((await file.getMetadata())[0].metadata).toEqual({ seen: 'yes' });
  });
});

describe('stall', () => {
  it('holds a chunk without reading or keeping it until the client gives up, while others are served', async () => {
    const uri = await openSession('stalled.bin');
    const fault = emulator.faults.add({ method: 'PUT', match: /upload_id=/, stall: true });
    const stalled = put(uri, `bytes 0-${CHUNK - 1}/*`, bytes(CHUNK, 32), AbortSignal.timeout(500));
    // Served while the chunk hangs.
    expect((await fetch(`${emulator.url}/storage/v1/b/${bucket.name}`)).status).toBe(200);
    await expect(stalled).rejects.toMatchObject({ name: 'TimeoutError' });
    expect(fault.matched).toBe(1);
    const status = await put(uri, 'bytes */*');
    expect(status.status).toBe(308);
    expect(status.headers.get('range')).toBeNull();
  });

  it('holds the connection until the emulator closes', async () => {
    const own = await startEmulator();
    own.faults.add({ method: 'GET', stall: true });
    const stalled = fetch(`${own.url}/storage/v1/b`);
    const settled = stalled.then(
      () => 'answered',
      () => 'connection closed',
    );
    const early = await Promise.race([
      settled,
      new Promise((done) => setTimeout(() => done('waiting'), 300)),
    ]);
    expect(early).toBe('waiting');
    await own.close();
    expect(await settled).toBe('connection closed');
  });
});
