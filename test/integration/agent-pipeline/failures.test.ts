// Nothing partial is ever final: a dump or compressor that fails after megabytes, storage that keeps failing,
// or a stop request all end with the session cancelled and no object — and a passing storage hiccup is retried.

import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { TargetInput } from '../../../agent/engines/index.js';
import { createAgentLog, LOG_FILE_NAME } from '../../../agent/log/agent-log.js';
import { createRedactor } from '../../../agent/log/redact.js';
import type { BackupProgress } from '../../../agent/pipeline/stream-backup.js';
import type { Faults } from '../../../emulator/index.js';
import { createStandIns, failingDumpScript, runTool, type StandIns } from '../../helpers/stand-in-tools.js';
import { describeEachBackend } from '../../helpers/storage-backends.js';
import { backup, gunzipText, startStorage, type TestStorage } from './storage.js';

const CHUNK = 256 * 1024;
// About 3.4 MiB of predictable text: over a dozen chunks before compression. The stand-ins run as the sqlite
// engine's dump tool, so a complete one ends as sqlite3's .dump does.
const STEADY_DUMP = "seq 1 500000; echo 'COMMIT;'";
const steadyOutput = async () => `${await runTool('seq', ['1', '500000'])}COMMIT;\n`;

describeEachBackend((backend) => {
  let standIns: StandIns;
  let storage: TestStorage;
  // fake-gcs-server injects no faults: the tests of storage trouble are defined on our emulator only.
  const onEmulator = backend === 'emulator';
  const faults = () => storage.backend.faults as Faults;

  beforeAll(async () => {
    [standIns, storage] = await Promise.all([createStandIns(), startStorage(backend)]);
  });

  afterAll(async () => {
    await Promise.all([standIns?.remove(), storage?.close()]);
  });

  /** A target whose "dump tool" is a stand-in script; the sqlite engine passes no password and ignores the file. */
  async function scriptedTarget(name: string, body: string): Promise<TargetInput> {
    return {
      id: name,
      engine: 'sqlite',
      database: name,
      path: '/nonexistent.db',
      toolPath: await standIns.script(name, body),
    };
  }

  async function expectNoObject(objectName: string, uploadUri: string): Promise<void> {
    expect(await storage.exists(objectName)).toBe(false);
    if (storage.cancelObservable) expect(await storage.sessionStatus(uploadUri)).toBe(499);
  }

  describe('failures cancel the session', () => {
    it('a dump that exits non-zero after writing several MiB never finalizes (DUMP_FAILED)', async () => {
      const request = await storage.request('broken_20240101.sql.gz');
      const outcome = await backup({
        request,
        target: await scriptedTarget('broken-dump', failingDumpScript(6, 2)),
        chunkSize: CHUNK,
      });
      expect(outcome, JSON.stringify(outcome)).toMatchObject({
        ok: false,
        errorCode: 'DUMP_FAILED',
        exitCodes: { dump: 2 },
      });
      expect(outcome.errorMessage).toBe('broken-dump exited with code 2');
      expect(outcome.bytesRead).toBeGreaterThan(6 * 1024 * 1024);
      expect(outcome.bytesUploaded).toBeGreaterThan(4 * CHUNK);
      expect(outcome.stderrTail).toEqual([
        'broken-dump: error: lost connection to server during query (password=[REDACTED])',
      ]);
      await expectNoObject(request.objectName, request.uploadUri);
    });

    it('a dump that exits 0 having written nothing never finalizes (DUMP_FAILED)', async () => {
      const request = await storage.request('silent_20240101.sql.gz');
      const outcome = await backup({
        request,
        target: await scriptedTarget('silent-dump', 'exit 0'),
        chunkSize: CHUNK,
      });
      expect(outcome).toMatchObject({
        ok: false,
        errorCode: 'DUMP_FAILED',
        exitCodes: { dump: 0 },
        bytesRead: 0,
      });
      expect(outcome.errorMessage).toBe(
        'silent-dump exited 0 but wrote nothing; an empty dump is not a backup',
      );
      await expectNoObject(request.objectName, request.uploadUri);
    });

    it('a dump that exits 0 early, without its mark, never finalizes (DUMP_INCOMPLETE)', async () => {
      const request = await storage.request('early_20240101.sql.gz');
      const outcome = await backup({
        request,
        // SQL for a few MiB, then an exit 0 where sqlite3's .dump would have written COMMIT.
        target: await scriptedTarget('early-dump', "seq 1 300000 | sed 's/.*/INSERT INTO t VALUES (&);/'"),
        chunkSize: CHUNK,
      });
      expect(outcome, JSON.stringify(outcome)).toMatchObject({
        ok: false,
        errorCode: 'DUMP_INCOMPLETE',
        exitCodes: { dump: 0, count: 0, mark: 0, compress: 0 },
      });
      expect(outcome.errorMessage).toBe(
        'early-dump exited 0 but its dump does not end with `COMMIT;` as its last line',
      );
      expect(outcome.bytesRead).toBeGreaterThan(6 * 1024 * 1024);
      // Chunks had gone to the session before the end showed the dump incomplete.
      expect(outcome.bytesUploaded).toBeGreaterThan(2 * CHUNK);
      await expectNoObject(request.objectName, request.uploadUri);
    });

    const compressors = [
      { tool: 'zstd', algorithm: 'zstd', extension: 'zst' },
      { tool: 'pigz', algorithm: 'gzip', extension: 'gz' },
    ] as const;
    const whens = [
      ['after reading everything', 'cat > /dev/null; echo "error 11 : Allocation error" >&2; exit 1'],
      ['at once, closing its input', 'echo "error: cannot allocate" >&2; exit 1'],
    ] as const;
    // The dump dies of SIGPIPE, and Node may hear of that before the compressor's exit: the blame must still land
    // on the compressor.
    it.each(
      compressors.flatMap((compressor) => whens.map(([when, body]) => ({ ...compressor, when, body }))),
    )('a $tool failing $when gives COMPRESS_FAILED', async (variant) => {
      const { tool, algorithm, extension, when, body } = variant;
      const request = await storage.request(`${tool}-${when.length}_20240101.sql.${extension}`, {
        algorithm,
      });
      const path = await standIns.script(tool, body);
      const outcome = await backup({
        request,
        target: await scriptedTarget('steady-dump', STEADY_DUMP),
        [`${tool}Path`]: path,
        chunkSize: CHUNK,
      });
      expect(outcome).toMatchObject({ ok: false, errorCode: 'COMPRESS_FAILED', exitCodes: { compress: 1 } });
      expect(outcome.errorMessage).toBe(`${tool} exited with code 1`);
      // The line the tool wrote, under the tool's own name.
      expect(outcome.stderrTail).toContain(`${tool}: ${/echo "([^"]+)"/.exec(body)?.[1]}`);
      await expectNoObject(request.objectName, request.uploadUri);
    });

    it('pv failing mid-dump gives DUMP_FAILED naming it, its line in the tail', async () => {
      const request = await storage.request('pv-fails_20240101.sql.zst', { algorithm: 'zstd' });
      const pvPath = await standIns.script(
        'pv',
        'head -c 100000 > /dev/null; echo "pv: read failed: Input/output error" >&2; exit 1',
      );
      const outcome = await backup({
        request,
        target: await scriptedTarget('steady-dump', STEADY_DUMP),
        pvPath,
        chunkSize: CHUNK,
      });
      expect(outcome).toMatchObject({
        ok: false,
        errorCode: 'DUMP_FAILED',
        exitCodes: { count: 1 },
      });
      expect(outcome.errorMessage).toBe('pv exited with code 1');
      expect(outcome.stderrTail).toContain('pv: pv: read failed: Input/output error');
      await expectNoObject(request.objectName, request.uploadUri);
    });

    it('a configured pv that does not exist gives DUMP_FAILED, and the dump never starts', async () => {
      const request = await storage.request('no-pv_20240101.sql.zst', { algorithm: 'zstd' });
      const outcome = await backup({
        request,
        target: await scriptedTarget('steady-dump', STEADY_DUMP),
        pvPath: `${standIns.dir}/no-such-pv`,
      });
      expect(outcome).toMatchObject({ ok: false, errorCode: 'DUMP_FAILED' });
      expect(outcome.errorMessage).toMatch(/^cannot start no-such-pv: .*ENOENT/);
      expect(outcome.errorMessage).toContain('install the Debian package pv');
      expect(outcome.exitCodes).not.toHaveProperty('dump');
      await expectNoObject(request.objectName, request.uploadUri);
    });

    it.each(compressors)(
      'a missing $tool gives COMPRESS_FAILED naming it',
      async ({ tool, algorithm, extension }) => {
        const request = await storage.request(`no${tool}_20240101.sql.${extension}`, { algorithm });
        const outcome = await backup({
          request,
          target: await scriptedTarget('steady-dump', STEADY_DUMP),
          [`${tool}Path`]: `${standIns.dir}/no-such-${tool}`,
        });
        expect(outcome).toMatchObject({ ok: false, errorCode: 'COMPRESS_FAILED' });
        expect(outcome.errorMessage).toMatch(new RegExp(`cannot start no-such-${tool}: .*ENOENT`));
        expect(outcome.errorMessage).toContain(`install the Debian package ${tool}`);
        await expectNoObject(request.objectName, request.uploadUri);
      },
    );

    if (onEmulator)
      it("storage failing every time gives UPLOAD_FAILED once the request's retry window has passed", async () => {
        const request = await storage.request('down_20240101.sql.gz');
        const fault = faults().add({
          method: 'PUT',
          match: /upload_id=/,
          status: 503,
          times: 1000,
        });
        try {
          const outcome = await backup({
            request,
            target: await scriptedTarget('steady-dump', STEADY_DUMP),
            chunkSize: CHUNK,
            retry: { retryWindowMs: 300 },
          });
          expect(outcome).toMatchObject({ ok: false, errorCode: 'UPLOAD_FAILED' });
          expect(outcome.errorMessage).toMatch(/upload failed after \d+ attempts over \d+ s: .*503/);
          // The request was retried (with status queries between the attempts) until its window closed.
          expect(fault.matched).toBeGreaterThan(2);
        } finally {
          faults().clear();
        }
        await expectNoObject(request.objectName, request.uploadUri);
      });

    if (onEmulator)
      it('a session that does not confirm its cancel is logged by its object, never its URI', async () => {
        const request = await storage.request('unconfirmed_20240101.sql.gz');
        const dir = await mkdtemp(join(tmpdir(), 'agent-log-'));
        const fault = faults().add({ method: 'DELETE', match: /upload_id=/, status: 503 });
        try {
          const outcome = await backup({
            request,
            target: await scriptedTarget('broken-dump', failingDumpScript(1, 2)),
            log: createAgentLog({ dir, redact: createRedactor().redact }),
          });
          expect(outcome).toMatchObject({ ok: false, errorCode: 'DUMP_FAILED' });
          expect(fault.matched).toBe(1);
          const log = await readFile(join(dir, LOG_FILE_NAME), 'utf8');
          expect(
            log
              .split('\n')
              .filter(Boolean)
              .map((line) => JSON.parse(line)),
          ).toEqual([
            expect.objectContaining({
              level: 'warning',
              event: 'session.cancel-unconfirmed',
              objectName: request.objectName,
              message: `the upload session for ${request.objectName} answered its cancel with HTTP 503, not 499: it may still be open`,
            }),
          ]);
          expect(log).not.toContain('upload_id');
        } finally {
          faults().clear();
          await rm(dir, { recursive: true, force: true });
        }
      });

    it('a stop request kills the dump and cancels the session (JOB_INTERRUPTED)', async () => {
      const request = await storage.request('stopped_20240101.sql.gz');
      const abort = new AbortController();
      const progress: BackupProgress[] = [];
      const outcome = await backup({
        request,
        target: await scriptedTarget('endless-dump', 'while true; do seq 1 20000; sleep 0.1; done'),
        signal: abort.signal,
        onProgress: (p) => {
          progress.push(p);
          if (progress.length === 2) abort.abort();
        },
      });
      expect(outcome).toMatchObject({ ok: false, errorCode: 'JOB_INTERRUPTED', exitCodes: { dump: null } });
      expect(progress[1]?.bytesRead).toBeGreaterThan(progress[0]?.bytesRead ?? 0);
      await expectNoObject(request.objectName, request.uploadUri);
    });
  });

  it('the dump tool runs with its stdout in a 1 MiB buffer (stdbuf)', async () => {
    const request = await storage.request('buffered_20240101.sql.gz');
    // stdbuf tells the C library of the tool it runs through these variables.
    const outcome = await backup({
      request,
      target: await scriptedTarget('buffered-dump', 'echo "stdout buffer $_STDBUF_O"; echo "COMMIT;"'),
    });
    expect(outcome).toMatchObject({ ok: true, exitCodes: { dump: 0 } });
    expect(gunzipText(await storage.download(request.objectName))).toBe('stdout buffer 1048576\nCOMMIT;\n');
  });

  it('a dump of a few bytes written at once still shows its mark, the dump tool waiting for pv to watch', async () => {
    const request = await storage.request('tiny_20240101.sql.gz');
    const outcome = await backup({
      request,
      target: await scriptedTarget('tiny-dump', "printf 'BEGIN TRANSACTION;\\nCOMMIT;\\n'"),
    });
    expect(outcome, JSON.stringify(outcome)).toMatchObject({ ok: true, bytesRead: 27 });
    expect(gunzipText(await storage.download(request.objectName))).toBe('BEGIN TRANSACTION;\nCOMMIT;\n');
  });

  if (onEmulator)
    describe('passing storage trouble', () => {
      it('one 503 on a chunk is retried and the object is whole', async () => {
        const request = await storage.request('hiccup_20240101.sql.gz');
        const fault = faults().add({ method: 'PUT', match: /upload_id=/, nth: 3, status: 503 });
        try {
          const outcome = await backup({
            request,
            target: await scriptedTarget('steady-dump', STEADY_DUMP),
            chunkSize: CHUNK,
          });
          expect(outcome).toMatchObject({ ok: true, exitCodes: { dump: 0 } });
          expect(fault.matched).toBeGreaterThan(3);
          const object = await storage.download(request.objectName);
          expect(object.length).toBe(outcome.bytesUploaded);
          expect(gunzipText(object)).toBe(await steadyOutput());
        } finally {
          faults().clear();
        }
      });

      it('a connection dropped mid-chunk is resumed from what the service kept', async () => {
        const request = await storage.request('dropped_20240101.sql.gz');
        faults().add({ method: 'PUT', match: /upload_id=/, nth: 2, dropAfterBytes: 100_000 });
        try {
          const outcome = await backup({
            request,
            target: await scriptedTarget('steady-dump', STEADY_DUMP),
            chunkSize: CHUNK,
          });
          expect(outcome.ok).toBe(true);
          expect(gunzipText(await storage.download(request.objectName))).toBe(await steadyOutput());
        } finally {
          faults().clear();
        }
      });
    });
});
