// A restore tool that prints as much as it reads (here `cat`, echoing the dump) must not stall the restore: what it
// prints on stdout is read and dropped, so its pipe never fills.
import { gzipSync } from 'node:zlib';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { restoreEngineFor } from '../../../agent/engines/index.js';
import { DEFAULT_RETRY_POLICY } from '../../../agent/pipeline/retrying.js';
import { streamRestore } from '../../../agent/restore/stream-restore.js';
import { hashesOf } from '../../unit/functions/scripted-agent.js';
import { startStorage, type TestStorage } from '../agent-pipeline/storage.js';

let storage: TestStorage;

beforeAll(async () => {
  storage = await startStorage();
});

afterAll(async () => {
  await storage?.close();
});

describe('a restore tool that writes to stdout', () => {
  it('is read to its end, and the restore ends', async () => {
    const dump = "INSERT INTO t VALUES(1,'a row that the tool echoes back');\n".repeat(40_000);
    const object = gzipSync(dump);
    await storage.storage.bucket('pipeline-backups').file('chatty.sql.gz').save(object, { resumable: false });
    const { bytesUploaded: size, crc32c, md5 } = hashesOf(object);
    const outcome = await streamRestore({
      url: `${storage.backend.url}/download/storage/v1/b/pipeline-backups/o/chatty.sql.gz?alt=media`,
      expected: { size, crc32c: crc32c as string, md5: md5 as string },
      compression: 'gzip',
      command: { file: 'cat', args: [], env: {}, secretFiles: [] },
      filters: restoreEngineFor('sqlite').filters(),
      settings: { zstdPath: 'zstd', retry: DEFAULT_RETRY_POLICY, redact: (text) => text },
      signal: AbortSignal.timeout(20_000),
    });
    expect(outcome).toMatchObject({
      ok: true,
      bytesRestored: Buffer.byteLength(dump),
      exitCodes: { restore: 0 },
    });
  });
});
