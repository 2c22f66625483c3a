// The benchmark's discard sink speaks enough of the resumable-upload protocol for the agent and for gcloud, and
// counts every byte it throws away, so a benchmark figure is the real upload's.

import { randomBytes } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type DiscardSink, startDiscardSink } from '../../../bench/discard-sink.js';
import { type Gcloud, gcloudFor, gcloudMissingReason } from '../../helpers/gcloud.js';
import { createStandIns, type StandIns } from '../../helpers/stand-in-tools.js';
import { backup } from '../agent-pipeline/storage.js';

let sink: DiscardSink;
let standIns: StandIns;

beforeAll(async () => {
  [sink, standIns] = await Promise.all([startDiscardSink(), createStandIns()]);
});

afterAll(async () => {
  await Promise.all([sink?.close(), standIns?.remove()]);
});

describe('discard sink', () => {
  it('takes a whole backup from the agent in many chunks and reports the object it would have made', async () => {
    const before = sink.receivedBytes;
    const outcome = await backup({
      request: {
        runId: 'run-1',
        targetId: 'target',
        objectName: 'steady_20240101.sql.gz',
        uploadUri: sink.openSession('bench', 'steady_20240101.sql.gz'),
        compression: { algorithm: 'gzip' },
      },
      target: {
        id: 'steady',
        engine: 'sqlite',
        database: 'steady',
        path: '/nonexistent.db',
        // Ends as sqlite3's .dump does, whose engine runs it.
        toolPath: await standIns.script(
          'steady-dump',
          "head -c 3000000 /dev/urandom; printf '\\nCOMMIT;\\n'",
        ),
      },
      chunkSize: 256 * 1024,
    });
    expect(outcome).toMatchObject({ ok: true });
    expect(outcome.bytesUploaded).toBeGreaterThan(10 * 256 * 1024);
    expect(sink.receivedBytes - before).toBe(outcome.bytesUploaded);
  });

  it('answers status queries with what it received, and 499 once cancelled', async () => {
    const uri = sink.openSession('bench', 'cancelled.sql.gz');
    const put = (range: string, body?: Buffer) =>
      fetch(uri, { method: 'PUT', headers: { 'Content-Range': range }, body });
    const chunk = await put('bytes 0-262143/*', randomBytes(262_144));
    expect(chunk.status).toBe(308);
    expect(chunk.headers.get('range')).toBe('bytes=0-262143');
    const gap = await put('bytes 524288-786431/*', randomBytes(262_144));
    expect(gap.status).toBe(400);
    expect((await fetch(uri, { method: 'DELETE' })).status).toBe(499);
    expect((await put('bytes */*')).status).toBe(499);
  });

  it('names what it does not serve', async () => {
    const response = await fetch(`${sink.url}/storage/v1/b`, { method: 'POST' });
    expect(response.status).toBe(404);
    expect(JSON.stringify(await response.json())).toContain('not POST /storage/v1/b');
  });

  describe.skipIf(gcloudMissingReason())('with gcloud storage cp', () => {
    let gcloud: Gcloud;
    beforeAll(async () => {
      gcloud = await gcloudFor(sink.url);
    });
    afterAll(() => gcloud?.dispose());

    it('takes a streamed upload from stdin, with the MD5 gcloud checks', { timeout: 120_000 }, async () => {
      const before = sink.receivedBytes;
      const data = randomBytes(3 * 1024 * 1024 + 5);
      const result = await gcloud.run(['storage', 'cp', '-', 'gs://bench/streamed.bin'], data);
      expect(result.stderr).not.toMatch(/ERROR|mismatch/i);
      expect(result.code).toBe(0);
      expect(sink.receivedBytes - before).toBe(data.length);
    });
  });
});
