// The in-memory catalog of buckets, objects and sessions, changed one mutation at a time and saved after each.

import { bucketNotFound } from './json-errors.js';
import type { BucketRecord, CatalogData, ObjectRecord } from './model.js';
import type { BlobStore } from './store/blob-store.js';

export class Catalog {
  private tail: Promise<unknown> = Promise.resolve();
  private lastGeneration = 0;

  private constructor(
    readonly data: CatalogData,
    private readonly store: BlobStore,
    /** The emulator's time: creation and update times, retention, lifecycle and signed-URL expiry. */
    readonly now: () => Date,
  ) {
    // Saved, because a clock a test moves back could otherwise hand out a deleted object's generation again.
    this.lastGeneration = data.lastGeneration ?? 0;
    for (const versions of Object.values(data.objects).flatMap((names) => Object.values(names))) {
      for (const record of versions) this.lastGeneration = Math.max(this.lastGeneration, record.generation);
    }
  }

  static async open(store: BlobStore, now: () => Date): Promise<Catalog> {
    const saved = await store.loadCatalog();
    const data: CatalogData = saved ? JSON.parse(saved) : { buckets: {}, objects: {}, sessions: {} };
    return new Catalog(data, store, now);
  }

  /**
   * Runs `change` after every earlier one has finished, then saves. Checks and writes made inside one
   * change are therefore atomic: two create-only uploads of a name cannot both succeed.
   */
  mutate<T>(change: (data: CatalogData) => T | Promise<T>): Promise<T> {
    const run = this.tail.then(async () => {
      const result = await change(this.data);
      await this.store.saveCatalog(JSON.stringify(this.data));
      return result;
    });
    this.tail = run.catch(() => undefined);
    return run;
  }

  /** Waits for every queued change to be saved. */
  async settled(): Promise<void> {
    await this.tail;
  }

  bucket(name: string): BucketRecord {
    const bucket = this.data.buckets[name];
    if (!bucket) throw bucketNotFound();
    return bucket;
  }

  /** Every kept generation of `name`, oldest first. */
  versions(bucket: string, name: string): ObjectRecord[] {
    this.bucket(bucket);
    return this.data.objects[bucket]?.[name] ?? [];
  }

  live(bucket: string, name: string): ObjectRecord | undefined {
    const latest = this.versions(bucket, name).at(-1);
    return latest && !latest.timeDeleted ? latest : undefined;
  }

  /** A generation number like the service's: microseconds since the epoch, always increasing. */
  nextGeneration(): number {
    this.lastGeneration = Math.max(this.lastGeneration + 1, this.now().getTime() * 1000);
    this.data.lastGeneration = this.lastGeneration;
    return this.lastGeneration;
  }

  /** The emulator's time now, as the JSON API writes times. */
  timestamp(): string {
    return this.now().toISOString();
  }
}
