// Writing into a resumable upload session the agent was handed (the session URI is the capability; no Google
// credentials). Hand-written rather than @google-cloud/storage's writer, which counts retries per upload (ten 503s
// fail a 100 GB dump), cannot send X-Goog-Hash with the last chunk, and gives up when the answer to the last chunk
// is lost although the object was made. Here each request has its own timeout and is retried with backoff, the
// session is asked what it holds after any doubt, and the object is final only when `complete` is called.
import { type Dispatcher, request } from 'undici';
import { BackupError } from '../../core/errors.js';
import type { ObjectHashes } from '../../core/hashes.js';
import { type RetryPolicy, retrying } from './retrying.js';

export interface ResumableUploadOptions {
  uri: string;
  /** A multiple of CHUNK_QUANTUM (agent.json's chunkSize, checked there); memory use is about twice this. */
  chunkSize: number;
  retry: RetryPolicy;
  /** Aborting stops the request in flight and every retry. */
  signal: AbortSignal;
}

/** The object as Cloud Storage answered for it. */
export interface UploadedObject {
  size: number;
  crc32c?: string;
  md5Hash?: string;
  generation?: string;
}

type Answer = { kind: 'persisted'; next: number } | { kind: 'final'; object: UploadedObject };

const RETRYABLE_STATUS = new Set([408, 429, 500, 502, 503, 504]);

/** A status worth another try, as the service documents it; everything else is final. */
class TransientError extends Error {}

function objectOf(body: Record<string, unknown>): UploadedObject {
  return {
    size: Number(body.size),
    ...(typeof body.crc32c === 'string' && { crc32c: body.crc32c }),
    ...(typeof body.md5Hash === 'string' && { md5Hash: body.md5Hash }),
    ...(body.generation !== undefined && { generation: String(body.generation) }),
  };
}

export class ResumableUpload {
  readonly #options: ResumableUploadOptions;
  /**
   * Two chunk-sized buffers, allocated once: one fills while the other is in flight. Copying each byte once into
   * them keeps memory at two chunks whatever the backup's size, with no garbage per chunk.
   */
  #filling: Buffer;
  #spare: Buffer;
  #filled = 0;
  /** Bytes the session has persisted (or is being sent in the request in flight). */
  #sent = 0;
  #inFlight: Promise<void> = Promise.resolve();

  constructor(options: ResumableUploadOptions) {
    this.#options = options;
    this.#filling = Buffer.allocUnsafe(options.chunkSize);
    this.#spare = Buffer.allocUnsafe(options.chunkSize);
  }

  /** Buffers `data`; each full chunk is sent while the next one fills, so compression never waits on one answer. */
  async write(data: Buffer): Promise<void> {
    let at = 0;
    while (at < data.length) {
      const copied = data.copy(this.#filling, this.#filled, at);
      this.#filled += copied;
      at += copied;
      if (this.#filled < this.#options.chunkSize) continue;
      // The spare buffer is free again only once the chunk sent from it is in the session.
      await this.#inFlight;
      const chunk = this.#filling;
      [this.#filling, this.#spare] = [this.#spare, chunk];
      this.#filled = 0;
      const start = this.#sent;
      this.#sent += chunk.length;
      this.#inFlight = this.#send(chunk, start, undefined).then(() => undefined);
      // Surfaces a failed chunk at the next write rather than as an unhandled rejection.
      this.#inFlight.catch(() => {});
    }
  }

  /** Sends what is left as the last chunk, with the hashes the service must check: only now does the object exist. */
  async complete(hashes: ObjectHashes): Promise<UploadedObject> {
    await this.#inFlight;
    const rest = this.#filling.subarray(0, this.#filled);
    const start = this.#sent;
    const total = start + rest.length;
    const object = await this.#send(rest, start, total, hashes);
    if (!object) throw new BackupError('UPLOAD_FAILED', 'the session did not finalize the object');
    if (object.size !== total || (object.crc32c && object.crc32c !== hashes.crc32c)) {
      throw new BackupError(
        'UPLOAD_FAILED',
        `the session holds ${object.size} bytes with crc32c ${object.crc32c}, not the ${total} bytes sent (crc32c ${hashes.crc32c})`,
      );
    }
    return object;
  }

  /** Sends `chunk` (from byte `start`) until the session holds it, resending whatever it says it lacks. */
  async #send(chunk: Buffer, start: number, total: number | undefined, hashes?: ObjectHashes) {
    let offset = start;
    // After an error nothing is known of the request it cut off: ask the session before sending again.
    let doubt = false;
    return retrying(
      this.#options.retry,
      this.#options.signal,
      async () => {
        if (doubt) {
          const answer = await this.#request('*', total, Buffer.alloc(0), hashes);
          if (answer.kind === 'final') return answer.object;
          doubt = false;
          offset = Math.max(start, answer.next);
        }
        for (;;) {
          const body = chunk.subarray(offset - start);
          const range = body.length > 0 ? `${offset}-${offset + body.length - 1}` : '*';
          doubt = true;
          const answer = await this.#request(range, total, body, hashes);
          doubt = false;
          if (answer.kind === 'final') return answer.object;
          if (answer.next >= start + chunk.length) {
            if (total !== undefined)
              throw new TransientError('the session holds every byte but did not finalize');
            return undefined;
          }
          // The service kept only part of the chunk: send the rest.
          offset = Math.max(offset, answer.next);
        }
      },
      (error) => error instanceof TransientError,
    );
  }

  async #request(
    range: string,
    total: number | undefined,
    body: Buffer,
    hashes?: ObjectHashes,
  ): Promise<Answer> {
    const headers: Record<string, string> = { 'content-range': `bytes ${range}/${total ?? '*'}` };
    if (total !== undefined && hashes) headers['x-goog-hash'] = `crc32c=${hashes.crc32c},md5=${hashes.md5}`;
    let response: Dispatcher.ResponseData;
    try {
      // undici's request, not fetch: fetch copies a Buffer body (twice, as the Fetch standard asks), which for chunks
      // of megabytes was most of the agent's memory.
      response = await request(this.#options.uri, {
        method: 'PUT',
        headers,
        body,
        signal: AbortSignal.any([
          this.#options.signal,
          AbortSignal.timeout(this.#options.retry.requestTimeoutMs),
        ]),
      });
    } catch (error) {
      if (this.#options.signal.aborted) throw error;
      const code = (error as { code?: string }).code;
      throw new TransientError(`${(error as Error).message}${code ? ` (${code})` : ''}`);
    }
    const status = response.statusCode;
    if (status === 308) {
      await response.body.dump();
      const range = response.headers.range;
      const persisted = /^bytes=0-(\d+)$/.exec(typeof range === 'string' ? range : '');
      return { kind: 'persisted', next: persisted ? Number(persisted[1]) + 1 : 0 };
    }
    if (status === 200 || status === 201) {
      return { kind: 'final', object: objectOf((await response.body.json()) as Record<string, unknown>) };
    }
    const text = (await response.body.text().catch(() => '')).slice(0, 300);
    if (RETRYABLE_STATUS.has(status)) throw new TransientError(`HTTP ${status}: ${text}`);
    if (status === 412) {
      throw new BackupError('OBJECT_EXISTS', 'the object was created by someone else while this backup ran');
    }
    throw new BackupError('UPLOAD_FAILED', `the session refused the upload: HTTP ${status} ${text}`);
  }
}
