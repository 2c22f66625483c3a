// Writing into a resumable upload session the agent was handed: no Google credentials, the session URI is the
// capability. Chunked, retried on 5xx and dropped connections; the object is final only when the stream ends.

import type { Writable } from 'node:stream';
import {
  IdempotencyStrategy,
  RETRYABLE_ERR_FN_DEFAULT,
  Storage,
  type StorageOptions,
} from '@google-cloud/storage';
import { Gaxios, GaxiosError, type GaxiosOptions } from 'gaxios';

export const DEFAULT_CHUNK_SIZE = 8 * 1024 * 1024;
export const CHUNK_QUANTUM = 256 * 1024;
export const DEFAULT_UPLOAD_RETRIES = 10;

export interface SessionUploadOptions {
  uri: string;
  objectName: string;
  chunkSize: number;
  /**
   * Retries over the whole upload (the client counts them per upload, not per chunk), with backoff doubling from
   * about 1 s up to 32 s.
   */
  maxRetries?: number;
}

/**
 * Sends the storage client's requests as they are, adding no Authorization header: the agent has no credentials
 * to add. Plain gaxios 6 is the transport the storage client itself is built on, so responses have the shape it reads.
 */
const transport = new Gaxios();
const noCredentials = {
  async request(options: GaxiosOptions) {
    try {
      return await transport.request(options);
    } catch (error) {
      // As google-auth-library's transporter does: an HTTP error carries its status as `code`, which the
      // client's retry decision reads (503 → retry, 403 → give up).
      if (error instanceof GaxiosError && error.response) error.code = String(error.response.status);
      throw error;
    }
  },
};

/** The bucket a JSON-API session URI belongs to; the client only uses it as a label, the URI addresses the upload. */
function bucketOf(uri: string): string {
  const match = /\/b\/([^/]+)\/o(?:$|[/?])/.exec(new URL(uri).pathname);
  return match?.[1] ? decodeURIComponent(match[1]) : 'session';
}

/**
 * The upload side of a backup. Bytes written are buffered up to one chunk; each full chunk is sent as soon as the
 * next byte arrives, and the last (finalizing) chunk only when `end()` is called — so a caller that has not ended
 * the stream can still cancel, and nothing partial becomes an object.
 */
export function openSessionUpload(options: SessionUploadOptions): Writable {
  const storage = new Storage({
    // The client only ever calls `request` on it (the URI is given, so no session is created and no token asked for).
    authClient: noCredentials as unknown as StorageOptions['authClient'],
    retryOptions: {
      autoRetry: true,
      maxRetries: options.maxRetries ?? DEFAULT_UPLOAD_RETRIES,
      retryDelayMultiplier: 2,
      maxRetryDelay: 32,
      // Counted from the upload's first request, not per retry: a backup may rightly take hours.
      totalTimeout: 24 * 60 * 60,
      retryableErrorFn: RETRYABLE_ERR_FN_DEFAULT,
      // Chunks are addressed by offset within the session, so re-sending one is always safe.
      idempotencyStrategy: IdempotencyStrategy.RetryAlways,
    },
  });
  return storage.bucket(bucketOf(options.uri)).file(options.objectName).createWriteStream({
    uri: options.uri,
    resumable: true,
    chunkSize: options.chunkSize,
    validation: false,
  });
}
