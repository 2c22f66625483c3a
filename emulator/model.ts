// The records the emulator keeps about buckets, object generations and resumable upload sessions.
import type { LifecycleRule, RetentionPolicy } from './lifecycle/config.js';

export interface BucketRecord {
  name: string;
  versioning: boolean;
  metageneration: number;
  timeCreated: string;
  updated: string;
  /** Rules applied by `runLifecycle`, in the order given. */
  lifecycle?: LifecycleRule[];
  retentionPolicy?: RetentionPolicy;
}

/** The metadata a client may set on an object, at upload or by patch. */
export interface ObjectAttrs {
  contentType?: string;
  contentEncoding?: string;
  contentDisposition?: string;
  contentLanguage?: string;
  cacheControl?: string;
  metadata?: Record<string, string>;
  /** A time of the client's choosing (RFC 3339, UTC), which lifecycle rules can count from; only moves forward. */
  customTime?: string;
}

export interface ObjectRecord extends ObjectAttrs {
  bucket: string;
  name: string;
  generation: number;
  metageneration: number;
  size: number;
  crc32c: string;
  md5Hash: string;
  /** Id of the committed blob holding the bytes. */
  blob: string;
  timeCreated: string;
  updated: string;
  /** Set once the generation is no longer live (kept only in versioned buckets). */
  timeDeleted?: string;
  /** STANDARD unless a lifecycle rule moved it colder. */
  storageClass?: string;
  timeStorageClassUpdated?: string;
}

export interface Preconditions {
  ifGenerationMatch?: number;
  ifGenerationNotMatch?: number;
  ifMetagenerationMatch?: number;
  ifMetagenerationNotMatch?: number;
}

export interface SessionRecord {
  id: string;
  bucket: string;
  name: string;
  attrs: ObjectAttrs;
  preconditions: Preconditions;
  /** Hashes the client declared in the initiating metadata, checked when the session finalizes. */
  claimed: { crc32c?: string; md5Hash?: string };
  state: 'open' | 'cancelled' | 'done';
  /** The object the session produced, answered again to status queries after it finalized. */
  result?: ObjectRecord;
}

export interface CatalogData {
  buckets: Record<string, BucketRecord>;
  /** Per bucket and name, every kept generation in ascending order; the last is live unless deleted. */
  objects: Record<string, Record<string, ObjectRecord[]>>;
  sessions: Record<string, SessionRecord>;
  /** The highest generation ever handed out, so generations keep increasing whatever the clock does. */
  lastGeneration?: number;
}
