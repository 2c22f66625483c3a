// Writing into a resumable upload session the agent was handed (the session URI is the capability; no Google
// credentials). Hand-written rather than @google-cloud/storage's writer, which counts retries per upload (ten 503s
// fail a 100 GB dump), cannot send X-Goog-Hash with the last chunk, and gives up when the answer to the last chunk
// is lost although the object was made. Here each request has its own timeout and is retried with backoff, the
// session is asked what it holds after any doubt, and the object is final only when `complete` is called.
import { BackupError } from '../../core/errors.js';
import { type RetryPolicy, retrying } from './retrying.js';

export interface ResumableUploadOptions {
  uri: string;
  /** A multiple of CHUNK_QUANTUM (agent.json's chunkSize, checked there); memory use is about twice this. */
  chunkSize: number;
  retry: RetryPolicy;
  /** Aborting stops the request in flight and every retry. */
  signal: AbortSignal;
  fetch?: typeof fetch;
}

/** The object as Cloud Storage answered for it. */
export interface UploadedObject {
  size: number;
  crc32c?: string;
  md5Hash?: string;
  generation?: string;
}

export interface Digests {
  crc32c: string;
  md5: string;
}

type Answer = { kind: 'persisted'; next: number } | { kind: 'final'; object: UploadedObject };

const RETRYABLE_STATUS = new Set([408, 429, 500, 502, 503, 504]);

/** A status worth another try, as the service documents it; everything else is final. */
export class TransientError extends Error {}

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
  readonly #fetch: typeof fetch;
  #pending: Buffer[] = [];
  #pendingBytes = 0;
  /** Bytes the session has persisted (or is being sent in the request in flight). */
  #sent = 0;
  #inFlight: Promise<void> = Promise.resolve();

  constructor(options: ResumableUploadOptions) {
    this.#options = options;
    this.#fetch = options.fetch ?? fetch;
  }

  /** Buffers `data`; each full chunk is sent while the next one fills, so compression never waits on one answer. */
  async write(data: Buffer): Promise<void> {
    this.#pending.push(data);
    this.#pendingBytes += data.length;
    while (this.#pendingBytes >= this.#options.chunkSize) {
      await this.#inFlight;
      const chunk = this.#take(this.#options.chunkSize);
      const start = this.#sent;
      this.#sent += chunk.length;
      this.#inFlight = this.#send(chunk, start, undefined).then(() => undefined);
      // Surfaces a failed chunk at the next write rather than as an unhandled rejection.
      this.#inFlight.catch(() => {});
    }
  }

  /** Sends what is left as the last chunk, with the hashes the service must check: only now does the object exist. */
  async complete(digests: Digests): Promise<UploadedObject> {
    await this.#inFlight;
    const rest = this.#take(this.#pendingBytes);
    const start = this.#sent;
    const total = start + rest.length;
    const object = await this.#send(rest, start, total, digests);
    if (!object) throw new BackupError('UPLOAD_FAILED', 'the session did not finalize the object');
    if (object.size !== total || (object.crc32c && object.crc32c !== digests.crc32c)) {
      throw new BackupError(
        'UPLOAD_FAILED',
        `the session holds ${object.size} bytes with crc32c ${object.crc32c}, not the ${total} bytes sent (crc32c ${digests.crc32c})`,
      );
    }
    return object;
  }

  #take(bytes: number): Buffer {
    const all = Buffer.concat(this.#pending);
    this.#pending = all.length > bytes ? [all.subarray(bytes)] : [];
    this.#pendingBytes = all.length - bytes;
    return all.subarray(0, bytes);
  }

  /** Sends `chunk` (from byte `start`) until the session holds it, resending whatever it says it lacks. */
  async #send(chunk: Buffer, start: number, total: number | undefined, digests?: Digests) {
    let offset = start;
    // After an error nothing is known of the request it cut off: ask the session before sending again.
    let doubt = false;
    return retrying(
      this.#options.retry,
      this.#options.signal,
      async () => {
        if (doubt) {
          const answer = await this.#request('*', total, Buffer.alloc(0), digests);
          if (answer.kind === 'final') return answer.object;
          doubt = false;
          offset = Math.max(start, answer.next);
        }
        for (;;) {
          const body = chunk.subarray(offset - start);
          const range = body.length > 0 ? `${offset}-${offset + body.length - 1}` : '*';
          doubt = true;
          const answer = await this.#request(range, total, body, digests);
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

  async #request(range: string, total: number | undefined, body: Buffer, digests?: Digests): Promise<Answer> {
    const headers: Record<string, string> = { 'content-range': `bytes ${range}/${total ?? '*'}` };
    if (total !== undefined && digests)
      headers['x-goog-hash'] = `crc32c=${digests.crc32c},md5=${digests.md5}`;
    let response: Response;
    try {
      response = await this.#fetch(this.#options.uri, {
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
      const cause = (error as Error).cause as { code?: string; message?: string } | undefined;
      throw new TransientError(`${(error as Error).message}${cause?.code ? ` (${cause.code})` : ''}`);
    }
    if (response.status === 308) {
      await response.body?.cancel();
      const persisted = /^bytes=0-(\d+)$/.exec(response.headers.get('range') ?? '');
      return { kind: 'persisted', next: persisted ? Number(persisted[1]) + 1 : 0 };
    }
    if (response.status === 200 || response.status === 201) {
      return { kind: 'final', object: objectOf((await response.json()) as Record<string, unknown>) };
    }
    const text = (await response.text().catch(() => '')).slice(0, 300);
    if (RETRYABLE_STATUS.has(response.status)) throw new TransientError(`HTTP ${response.status}: ${text}`);
    if (response.status === 412) {
      throw new BackupError('OBJECT_EXISTS', 'the object was created by someone else while this backup ran');
    }
    throw new BackupError('UPLOAD_FAILED', `the session refused the upload: HTTP ${response.status} ${text}`);
  }
}
