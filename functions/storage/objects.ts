// The bucket operations a run needs: look an object up, open a create-only upload session.
import type { Bucket, FileMetadata } from '@google-cloud/storage';
import { BackupError } from '../../core/errors.js';
import { forcedSessionBucket } from './session-client.js';

export interface ObjectInfo {
  name: string;
  generation: string;
  size: number;
  crc32c?: string;
  md5Hash?: string;
  /** When this generation was finalized. */
  timeCreated: string;
  /** Its retention end, once retention has set one: Cloud Storage deletes the object after it. */
  customTime?: string;
  /** Counts this generation's metadata changes: a write conditioned on it replaces exactly what was read. */
  metageneration: string;
  storageClass?: string;
  /** When this generation stopped being the live one (a newer one replaced it); Cloud Storage keeps it a while. */
  timeDeleted?: string;
  metadata: Record<string, string>;
}

/** The HTTP status of a failed Cloud Storage call, when it has one. */
export function statusOf(error: unknown): number | undefined {
  const code = (error as { code?: unknown } | null)?.code;
  return typeof code === 'number' ? code : undefined;
}

/** An object resource as the run reads it. */
export function objectInfo(meta: FileMetadata): ObjectInfo {
  const custom: Record<string, string> = {};
  for (const [key, value] of Object.entries(meta.metadata ?? {}))
    if (value != null) custom[key] = String(value);
  return {
    name: String(meta.name),
    generation: String(meta.generation),
    size: Number(meta.size),
    ...(meta.crc32c && { crc32c: meta.crc32c }),
    ...(meta.md5Hash && { md5Hash: meta.md5Hash }),
    timeCreated: String(meta.timeCreated),
    ...(meta.customTime && { customTime: meta.customTime }),
    metageneration: String(meta.metageneration),
    ...(meta.storageClass && { storageClass: meta.storageClass }),
    ...(meta.timeDeleted && { timeDeleted: String(meta.timeDeleted) }),
    metadata: custom,
  };
}

/** The live generation of an object, or null when there is none. */
export async function getObject(bucket: Bucket, name: string): Promise<ObjectInfo | null> {
  try {
    const [meta] = await bucket.file(name).getMetadata();
    return objectInfo({ ...meta, name });
  } catch (error) {
    if (statusOf(error) === 404) return null;
    throw new BackupError('INTERNAL', `cannot read ${name}'s metadata: ${(error as Error).message}`, {
      cause: error,
    });
  }
}

export type SessionResult = { kind: 'created'; uri: string } | { kind: 'exists' };

export interface SessionOptions {
  /** Without force the session is create-only (ifGenerationMatch=0); with it, a new generation. */
  force: boolean;
  contentType: string;
  metadata: Record<string, string>;
}

/** A resumable upload session for exactly one object; `exists` when a create-only session meets the object. */
export async function openSession(
  bucket: Bucket,
  name: string,
  options: SessionOptions,
): Promise<SessionResult> {
  try {
    // A forced session has no precondition: opened on a client of its own, which the library's side effect on
    // retries cannot reach beyond (session-client.ts).
    const client = options.force ? forcedSessionBucket(bucket) : bucket;
    const [uri] = await client.file(name).createResumableUpload({
      metadata: { contentType: options.contentType, metadata: options.metadata },
      ...(!options.force && { preconditionOpts: { ifGenerationMatch: 0 } }),
    });
    return { kind: 'created', uri };
  } catch (error) {
    if (statusOf(error) === 412) return { kind: 'exists' };
    const status = statusOf(error);
    throw new BackupError(
      'SESSION_REFUSED',
      `Cloud Storage refused an upload session for ${name}${status ? ` (HTTP ${status})` : ''}: ${(error as Error).message}`,
      { cause: error },
    );
  }
}
