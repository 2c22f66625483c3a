// Reading a backup through the signed URL the agent was handed (the URL is the capability; no Google credentials):
// the object's bytes in order, each once. A response that breaks off is resumed from the byte it stopped at with a
// Range request; each request waits at most requestTimeoutMs for its headers and for each next chunk — time the
// restore tool spends not reading (backpressure) is not counted — and is retried with backoff while the retry window
// lasts. A redirect is never followed: the URL names the one storage origin the agent allows. Hand-written because the
// storage client reads objects only through its own credentials, not through a signed URL.
import { Readable } from 'node:stream';
import { setTimeout as sleep } from 'node:timers/promises';
import { BackupError } from '../../core/errors.js';
import type { SourceClock } from '../jobs/stall-clock.js';
import { type RetryPolicy, retrying } from '../pipeline/retrying.js';
import type { ExpectedObject } from './verify-hashes.js';

export interface DownloadOptions {
  url: string;
  /** The object's size, as the backup wrote it: a response for another size is refused at once. */
  expected: ExpectedObject;
  retry: RetryPolicy;
  signal: AbortSignal;
  /** Runs only while the download waits on the network: stopped while it waits on its reader, and at its end. */
  clock?: SourceClock;
  fetch?: typeof fetch;
}

const RETRYABLE_STATUS = new Set([408, 429, 500, 502, 503, 504]);

class TransientError extends Error {}

const mismatch = (message: string) => new BackupError('HASH_MISMATCH', message);

/** Refuses an answer about another object than the backup: its stored size or hashes are not the expected ones. */
function checkAnswer(response: Response, offset: number, expected: ExpectedObject): void {
  const range = /^bytes (\d+)-\d+\/(\d+)$/.exec(response.headers.get('content-range') ?? '');
  const total = response.status === 206 ? Number(range?.[2]) : Number(response.headers.get('content-length'));
  if (response.status === 206 && Number(range?.[1]) !== offset) {
    throw new TransientError(`asked for byte ${offset}, got ${response.headers.get('content-range')}`);
  }
  if (Number.isFinite(total) && total !== expected.size) {
    throw mismatch(`the object holds ${total} bytes, the backup ${expected.size}`);
  }
  const hashes = Object.fromEntries(
    (response.headers.get('x-goog-hash') ?? '')
      .split(',')
      .map((part) => part.trim().split(/=(.*)/s).slice(0, 2)),
  );
  if ((hashes.crc32c && hashes.crc32c !== expected.crc32c) || (hashes.md5 && hashes.md5 !== expected.md5)) {
    throw mismatch(
      `the stored object's hashes are crc32c ${hashes.crc32c}, md5 ${hashes.md5}, not the backup's`,
    );
  }
}

/** A refusal as the failure it is: an expired URL, or a final refusal naming the service's own error code. */
async function refusal(response: Response): Promise<Error> {
  if (response.status >= 300 && response.status < 400) {
    return new BackupError(
      'DOWNLOAD_FAILED',
      `the storage service answered HTTP ${response.status}, a redirect elsewhere, which is not followed`,
    );
  }
  const text = (await response.text().catch(() => '')).slice(0, 2000);
  const code = /<Code>([^<]+)<\/Code>/.exec(text)?.[1] ?? '';
  if (RETRYABLE_STATUS.has(response.status)) return new TransientError(`HTTP ${response.status} ${code}`);
  if (code === 'ExpiredToken')
    return new BackupError('URL_EXPIRED', 'the signed URL expired before it was read');
  return new BackupError(
    'DOWNLOAD_FAILED',
    `the storage service refused the download: HTTP ${response.status} ${code}`,
  );
}

/** The object's bytes as a stream; it errors with a BackupError (its code says why) when they cannot all be read. */
export function download(options: DownloadOptions): Readable {
  return Readable.from(chunks(options), { objectMode: false });
}

async function* chunks(options: DownloadOptions): AsyncGenerator<Buffer> {
  const { retry, signal, expected } = options;
  const fetchFn = options.fetch ?? fetch;
  let offset = 0;
  let stuckSince: number | undefined;
  for (;;) {
    // Each chunk must come within the request time-out; the timer restarts with every one.
    const idle = new AbortController();
    let timer: NodeJS.Timeout | undefined;
    const arm = () => {
      clearTimeout(timer);
      timer = setTimeout(
        () => idle.abort(new TransientError('no data within the request time-out')),
        retry.requestTimeoutMs,
      );
    };
    try {
      const response = await retrying(
        retry,
        signal,
        async () => {
          arm();
          const answer = await fetchFn(options.url, {
            headers: offset > 0 ? { range: `bytes=${offset}-` } : {},
            redirect: 'manual',
            signal: AbortSignal.any([signal, idle.signal]),
          }).catch((error: Error) => {
            throw signal.aborted ? error : new TransientError(error.message);
          });
          if (answer.status !== 200 && answer.status !== 206) throw await refusal(answer);
          checkAnswer(answer, offset, expected);
          return answer;
        },
        (error) => error instanceof TransientError,
        { code: 'DOWNLOAD_FAILED', what: 'download' },
      );
      // A service that ignored the Range header sends the whole object again: skip what was already read.
      let skip = response.status === 200 ? offset : 0;
      for await (const chunk of response.body as unknown as AsyncIterable<Uint8Array>) {
        clearTimeout(timer);
        let bytes = Buffer.from(chunk.buffer, chunk.byteOffset, chunk.byteLength);
        if (skip > 0) {
          const dropped = Math.min(skip, bytes.length);
          skip -= dropped;
          bytes = bytes.subarray(dropped);
        }
        if (bytes.length === 0) {
          arm();
          continue;
        }
        offset += bytes.length;
        stuckSince = undefined;
        // While the restore tool is not reading, the answer waits on us, not we on it: neither the time-out nor the
        // stall clock counts that time, and both run again once the next chunk is asked for.
        options.clock?.pause();
        yield bytes;
        options.clock?.resume();
        arm();
      }
      if (offset >= expected.size) {
        // Read to its end: nothing more is awaited from the network.
        options.clock?.pause();
        return;
      }
      throw new TransientError(`the answer ended at byte ${offset} of ${expected.size}`);
    } catch (error) {
      if (signal.aborted) throw signal.reason ?? error;
      if (error instanceof BackupError) throw error;
      // Anything else broke the answer off (a reset, a time-out, a short body): resume from here, unless no byte
      // has come for the whole retry window.
      stuckSince ??= Date.now();
      if (Date.now() - stuckSince >= retry.retryWindowMs) {
        throw new BackupError(
          'DOWNLOAD_FAILED',
          `the download stopped at byte ${offset} of ${expected.size}: ${(error as Error).message}`,
          { cause: error },
        );
      }
      await sleep(retry.initialDelayMs, undefined, { signal });
    } finally {
      clearTimeout(timer);
    }
  }
}
