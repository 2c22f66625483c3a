// The one small interface behind which object bytes and the catalog are kept, on disk or in memory.
import type { Readable } from 'node:stream';

/**
 * Bytes arrive into a staged blob (an upload in progress), become a committed blob when the upload
 * finalizes, and are read back from there. Both carry the same opaque id.
 */
export interface BlobStore {
  /** Appends `body` to staged blob `id`, creating it; rejects if `body` breaks off, keeping what arrived. */
  append(id: string, body: Readable): Promise<void>;
  /** The length of staged blob `id`, 0 when it does not exist. */
  stagedLength(id: string): Promise<number>;
  /** Cuts staged blob `id` back to `length` bytes. */
  truncate(id: string, length: number): Promise<void>;
  readStaged(id: string): Readable;
  /** Ids of every staged blob, so leftovers of uploads that can never finish can be discarded. */
  listStaged(): Promise<string[]>;
  discardStaged(id: string): Promise<void>;
  /** Moves staged blob `id` into place as a committed blob. */
  commit(id: string): Promise<void>;
  /** Reads committed blob `id`, from `start` through `end` inclusive when given. */
  read(id: string, range?: { start: number; end: number }): Readable;
  remove(id: string): Promise<void>;
  /** The serialized catalog of buckets, objects and sessions, if one was saved. */
  loadCatalog(): Promise<string | undefined>;
  /** Replaces the saved catalog as one step, so a crash leaves the old or the new one whole. */
  saveCatalog(json: string): Promise<void>;
}
