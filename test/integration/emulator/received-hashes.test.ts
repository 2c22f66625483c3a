// Hashes computed as a resumable upload arrives stay exact across overlapping retries, broken chunks and restarts.
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type RunningEmulator, startEmulator } from '../../../emulator/index.js';
import { bytes, hashesOf, storageFor, uniqueBucket } from './client.js';

const CHUNK = 256 * 1024;

let dataDir: string;
let emulator: RunningEmulator;
let bucket: string;

beforeAll(async () => {
  dataDir = await mkdtemp(join(tmpdir(), 'emulator-hashes-'));
  emulator = await startEmulator({ dataDir });
  bucket = uniqueBucket();
  await storageFor(emulator.url).createBucket(bucket);
});

afterAll(async () => {
  await emulator.close();
  await rm(dataDir, { recursive: true, force: true });
});

async function openSession(name: string): Promise<string> {
  const response = await fetch(
    `${emulator.url}/upload/storage/v1/b/${bucket}/o?uploadType=resumable&name=${name}&ifGenerationMatch=0`,
    { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{}' },
  );
  const location = response.headers.get('location');
  if (!location) throw new Error(`no session: ${response.status}`);
  return location;
}

function put(uri: string, range: string, body?: Buffer): Promise<Response> {
  return fetch(uri, { method: 'PUT', headers: { 'Content-Range': range }, body });
}

async function finalHashes(response: Response): Promise<{ crc32c: string; md5Hash: string; size: string }> {
  expect(response.status).toBe(200);
  return (await response.json()) as { crc32c: string; md5Hash: string; size: string };
}

describe('hashes of a resumable upload', () => {
  it('skips the part of a retried chunk that was already stored', async () => {
    const data = bytes(3 * CHUNK + 99, 41);
    const uri = await openSession('overlap.bin');
    expect((await put(uri, `bytes 0-${2 * CHUNK - 1}/*`, data.subarray(0, 2 * CHUNK))).status).toBe(308);
    // The client did not see the answer and sends again from byte CHUNK: the first half is a repeat.
    const retried = await put(uri, `bytes ${CHUNK}-${3 * CHUNK - 1}/*`, data.subarray(CHUNK, 3 * CHUNK));
    expect(retried.headers.get('range')).toBe(`bytes=0-${3 * CHUNK - 1}`);
    const last = await put(
      uri,
      `bytes ${3 * CHUNK}-${data.length - 1}/${data.length}`,
      data.subarray(3 * CHUNK),
    );
    expect(await finalHashes(last)).toMatchObject({ ...hashesOf(data), size: String(data.length) });
  });

  it('keeps the whole units of a broken chunk and hashes what is resent after them', async () => {
    const data = bytes(4 * CHUNK + 7, 42);
    const uri = await openSession('broken.bin');
    emulator.faults.add({ method: 'PUT', match: /upload_id=/, dropAfterBytes: CHUNK + 1000 });
    await expect(put(uri, `bytes 0-${3 * CHUNK - 1}/*`, data.subarray(0, 3 * CHUNK))).rejects.toThrow();
    const status = await put(uri, 'bytes */*');
    expect(status.headers.get('range')).toBe(`bytes=0-${CHUNK - 1}`);
    const last = await put(uri, `bytes ${CHUNK}-${data.length - 1}/${data.length}`, data.subarray(CHUNK));
    expect(await finalHashes(last)).toMatchObject(hashesOf(data));
  });

  it('hashes the bytes staged before a restart once, then goes on', async () => {
    const data = bytes(3 * CHUNK + 5, 43);
    const uri = await openSession('restarted.bin');
    await put(uri, `bytes 0-${2 * CHUNK - 1}/*`, data.subarray(0, 2 * CHUNK));
    await emulator.close();
    emulator = await startEmulator({ dataDir, port: emulator.port });
    await put(uri, `bytes ${2 * CHUNK}-${3 * CHUNK - 1}/*`, data.subarray(2 * CHUNK, 3 * CHUNK));
    const last = await put(
      uri,
      `bytes ${3 * CHUNK}-${data.length - 1}/${data.length}`,
      data.subarray(3 * CHUNK),
    );
    expect(await finalHashes(last)).toMatchObject(hashesOf(data));
  });

  it('refuses a final chunk whose x-goog-hash differs from the bytes received', async () => {
    const data = bytes(CHUNK + 3, 44);
    const uri = await openSession('claimed.bin');
    await put(uri, `bytes 0-${CHUNK - 1}/*`, data.subarray(0, CHUNK));
    const { md5Hash } = hashesOf(data);
    const wrong = await fetch(uri, {
      method: 'PUT',
      headers: {
        'Content-Range': `bytes ${CHUNK}-${data.length - 1}/${data.length}`,
        'x-goog-hash': `crc32c=AAAAAA==,md5=${md5Hash}`,
      },
      body: data.subarray(CHUNK),
    });
    expect(wrong.status).toBe(400);
    expect((await storageFor(emulator.url).bucket(bucket).file('claimed.bin').exists())[0]).toBe(false);
  });
});
