// A restore tool that stops reading for a while (an index being built, a slow disk) holds the download back; that
// time is not the network's, so the download's idle time-out does not count it. Here the tool pauses three times
// as long as the time-out, and its signed URL expires during the pause: the one answer goes on after it, unbroken,
// where counting the pause would break it off and resume with a request the expired URL no longer allows.
import { randomBytes } from 'node:crypto';
import { gzipSync } from 'node:zlib';
import { Storage } from '@google-cloud/storage';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { restoreEngineFor } from '../../../agent/engines/index.js';
import { DEFAULT_RETRY_POLICY } from '../../../agent/pipeline/retrying.js';
import { streamRestore } from '../../../agent/restore/stream-restore.js';
import { type RunningEmulator, startEmulator } from '../../../emulator/index.js';
import { createLocalSigner } from '../../../local/signer.js';
import { createStandIns, type StandIns } from '../../helpers/stand-in-tools.js';
import { type StorageProxy, startStorageProxy } from '../../helpers/storage-proxy.js';
import { hashesOf } from '../../unit/functions/scripted-agent.js';

let emulator: RunningEmulator;
let proxy: StorageProxy;
let tools: StandIns;
let storage: Storage;

beforeAll(async () => {
  const signer = createLocalSigner();
  emulator = await startEmulator({ signedUrlKeys: signer.trusted });
  proxy = await startStorageProxy(emulator.url);
  tools = await createStandIns();
  storage = new Storage({ apiEndpoint: proxy.url, projectId: 'p', credentials: signer.credentials });
  await storage.createBucket('backpressure');
});

afterAll(async () => {
  await Promise.all([proxy?.close(), emulator?.close(), tools?.remove()]);
});

describe('a restore tool that pauses reading', () => {
  it('holds the download back without its idle time-out firing, past the URL’s expiry', async () => {
    // Rows that do not compress: several MiB stay in the download, behind the pipes the tool does not empty.
    const rows = Array.from(
      { length: 6000 },
      () => `INSERT INTO t VALUES('${randomBytes(600).toString('base64')}');`,
    );
    const object = gzipSync(`BEGIN TRANSACTION;\n${rows.join('\n')}\nCOMMIT;\n`);
    const file = storage.bucket('backpressure').file('clinic_20260101.sql.gz');
    await file.save(object, { resumable: false });
    const [url] = await file.getSignedUrl({ version: 'v4', action: 'read', expires: Date.now() + 1500 });
    const { bytesUploaded: size, crc32c, md5 } = hashesOf(object);
    // Reads a little, stops reading for 3 s, then reads the rest.
    const pausing = await tools.script(
      'pausing-sqlite3',
      'head -c 4096 >/dev/null\nsleep 3\nexec cat >/dev/null',
    );
    const before = proxy.reads.length;
    const outcome = await streamRestore({
      url,
      expected: { size, crc32c: crc32c as string, md5: md5 as string },
      compression: 'gzip',
      command: { file: pausing, args: [], env: {}, secretFiles: [] },
      filters: restoreEngineFor('sqlite').filters(),
      settings: {
        zstdPath: 'zstd',
        retry: { ...DEFAULT_RETRY_POLICY, requestTimeoutMs: 1000, retryWindowMs: 5000, initialDelayMs: 100 },
        redact: (text) => text,
      },
      signal: AbortSignal.timeout(30_000),
    });
    expect(outcome, JSON.stringify(outcome)).toMatchObject({ ok: true, bytesDownloaded: size });
    // One answer, read to its end: no resume.
    expect(proxy.reads.slice(before)).toEqual([{ status: 200 }]);
  });
});
