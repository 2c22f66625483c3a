// The agent's resumable uploader against each storage backend: the service refuses a corrupt object, a rival that
// made the object first wins at finalize, each request rides out its own run of failures, a lost answer to the
// last chunk is recovered from the session — and refused when the session holds other bytes than were sent — and a
// request that hangs is abandoned and retried (emulator faults).
import { randomBytes } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { ResumableUpload } from '../../../agent/pipeline/resumable-upload.js';
import { DEFAULT_RETRY_POLICY } from '../../../agent/pipeline/retrying.js';
import { CHUNK_QUANTUM } from '../../../core/upload-session.js';
import type { Faults } from '../../../emulator/index.js';
import { describeEachBackend, lacks } from '../../helpers/storage-backends.js';
import { hashesOf } from '../../unit/functions/scripted-agent.js';
import { startStorage, type TestStorage } from './storage.js';

const retry = { ...DEFAULT_RETRY_POLICY, initialDelayMs: 5, maxDelayMs: 20, retryWindowMs: 5000 };

function uploader(uri: string, overrides: Partial<typeof retry> = {}) {
  return new ResumableUpload({
    uri,
    chunkSize: CHUNK_QUANTUM,
    retry: { ...retry, ...overrides },
    signal: new AbortController().signal,
  });
}

/** Every PUT to a session: chunks and status queries alike. */
const SESSION_PUT = /upload_id=/;

const digestsOf = (bytes: Buffer) => {
  const { crc32c, md5 } = hashesOf(bytes);
  return { crc32c: crc32c as string, md5: md5 as string };
};

describeEachBackend((backend) =>
  describe('ResumableUpload', () => {
    let storage: TestStorage;
    beforeAll(async () => {
      storage = await startStorage(backend);
    });
    afterAll(async () => {
      await storage?.close();
    });
    const emulatorFaults = () => storage.backend.faults as Faults;
    // Fault injection is our emulator's alone.
    const onEmulator = backend === 'emulator';

    it('uploads chunk by chunk and finalizes only on complete, with the hashes the service checks', async () => {
      const bytes = randomBytes(3 * CHUNK_QUANTUM + 1000);
      const request = await storage.request('whole_20250301.bin');
      const upload = uploader(request.uploadUri);
      await upload.write(bytes.subarray(0, 2 * CHUNK_QUANTUM + 10));
      await upload.write(bytes.subarray(2 * CHUNK_QUANTUM + 10));
      expect(await storage.exists(request.objectName)).toBe(false);
      const object = await upload.complete(digestsOf(bytes));
      expect(object).toMatchObject({ size: bytes.length, crc32c: digestsOf(bytes).crc32c });
      expect((await storage.download(request.objectName)).equals(bytes)).toBe(true);
    });

    // fake-gcs-server does not check the finalizing request's X-Goog-Hash (FAKE_GCS_DEVIATIONS.finalHash).
    if (!lacks(backend, ['finalHash']))
      it('has a corrupt object refused by the service itself: hashes that do not match leave no object', async () => {
        const bytes = randomBytes(CHUNK_QUANTUM + 5);
        const request = await storage.request('corrupt_20250301.bin');
        const upload = uploader(request.uploadUri);
        await upload.write(bytes);
        const wrong = digestsOf(Buffer.from('other bytes'));
        await expect(upload.complete(wrong)).rejects.toMatchObject({ code: 'UPLOAD_FAILED' });
        expect(await storage.exists(request.objectName)).toBe(false);
      });

    it('loses to a rival that made the object first: OBJECT_EXISTS, the rival kept', async () => {
      const request = await storage.request('raced_20250301.bin');
      const bucket = storage.storage.bucket('pipeline-backups');
      await bucket.file(request.objectName).save('the rival', { resumable: false });
      const upload = uploader(request.uploadUri);
      await upload.write(Buffer.from('ours'));
      await expect(upload.complete(digestsOf(Buffer.from('ours')))).rejects.toMatchObject({
        code: 'OBJECT_EXISTS',
      });
      expect((await storage.download(request.objectName)).toString()).toBe('the rival');
    });

    if (onEmulator)
      it('retries one request through many failures in a row, far more than ten over the whole upload', async () => {
        const bytes = randomBytes(4 * CHUNK_QUANTUM);
        const request = await storage.request('flaky_20250301.bin');
        const faults = [2, 3, 4].map((nth) =>
          emulatorFaults().add({
            method: 'PUT',
            match: /upload_id=/,
            nth: nth * 10,
            times: 8,
            status: 503,
          }),
        );
        try {
          const upload = uploader(request.uploadUri);
          for (let at = 0; at < bytes.length; at += CHUNK_QUANTUM)
            await upload.write(bytes.subarray(at, at + CHUNK_QUANTUM));
          await upload.complete(digestsOf(bytes));
        } finally {
          emulatorFaults().clear();
        }
        expect(faults.reduce((sum, fault) => sum + fault.matched, 0)).toBeGreaterThan(10);
        expect((await storage.download(request.objectName)).equals(bytes)).toBe(true);
      });

    if (onEmulator)
      it('recovers a lost answer to the last chunk: the session holds the object, so the upload succeeded', async () => {
        const bytes = randomBytes(2 * CHUNK_QUANTUM + 7);
        const request = await storage.request('lost_20250301.bin');
        // Two full chunks, then the last one: the third PUT, whose answer is lost.
        const fault = emulatorFaults().add({
          method: 'PUT',
          match: SESSION_PUT,
          nth: 3,
          dropResponse: true,
        });
        const upload = uploader(request.uploadUri);
        await upload.write(bytes);
        try {
          const object = await upload.complete(digestsOf(bytes));
          expect(object).toMatchObject({ size: bytes.length, crc32c: digestsOf(bytes).crc32c });
        } finally {
          emulatorFaults().clear();
        }
        expect(fault.matched).toBeGreaterThanOrEqual(1);
        expect((await storage.download(request.objectName)).equals(bytes)).toBe(true);
      });

    if (onEmulator)
      it.each([
        [
          'other bytes of the same size',
          (rest: Buffer) => ({
            range: `bytes ${2 * CHUNK_QUANTUM}-${2 * CHUNK_QUANTUM + rest.length - 1}/${2 * CHUNK_QUANTUM + rest.length}`,
            body: Buffer.alloc(rest.length, 0x78),
          }),
        ],
        ['fewer bytes', () => ({ range: `bytes */${2 * CHUNK_QUANTUM}`, body: Buffer.alloc(0) })],
      ])(
        'after a lost last request, refuses the object the session holds when a rival finalized it with %s',
        async (_what, rival) => {
          const bytes = randomBytes(2 * CHUNK_QUANTUM + 7);
          const request = await storage.request(`rival-${_what.length}_20250301.bin`);
          // The last chunk is the third PUT: its connection drops before any of it is taken, so no answer comes.
          const fault = emulatorFaults().add({
            method: 'PUT',
            match: SESSION_PUT,
            nth: 3,
            dropAfterBytes: 0,
          });
          // A pause before the agent asks the session what it holds, for the rival to finalize it meanwhile.
          const upload = uploader(request.uploadUri, { initialDelayMs: 1500, maxDelayMs: 1500 });
          try {
            await upload.write(bytes);
            const completing = upload.complete(digestsOf(bytes));
            completing.catch(() => {});
            // Matched counts every PUT since the fault was added: the two chunks, then the lost last one.
            await vi.waitFor(() => expect(fault.matched).toBe(3), { timeout: 5000 });
            const { range, body } = rival(bytes.subarray(2 * CHUNK_QUANTUM));
            const finalized = await fetch(request.uploadUri, {
              method: 'PUT',
              headers: { 'content-range': range },
              body,
            });
            expect(finalized.status).toBe(200);
            await expect(completing).rejects.toMatchObject({
              code: 'UPLOAD_FAILED',
              message: expect.stringMatching(
                /^the session holds \d+ bytes with crc32c \S+, not the 524295 bytes sent/,
              ),
            });
          } finally {
            emulatorFaults().clear();
          }
        },
      );

    if (onEmulator)
      it('abandons a request that hangs after its own time-out and sends the chunk again', async () => {
        const bytes = randomBytes(3 * CHUNK_QUANTUM);
        const request = await storage.request('stalled_20250301.bin');
        const fault = emulatorFaults().add({ method: 'PUT', match: SESSION_PUT, nth: 2, stall: true });
        try {
          const upload = uploader(request.uploadUri, { requestTimeoutMs: 500 });
          for (let at = 0; at < bytes.length; at += CHUNK_QUANTUM)
            await upload.write(bytes.subarray(at, at + CHUNK_QUANTUM));
          await upload.complete(digestsOf(bytes));
        } finally {
          emulatorFaults().clear();
        }
        expect(fault.matched).toBeGreaterThan(2);
        expect((await storage.download(request.objectName)).equals(bytes)).toBe(true);
      });
  }),
);
