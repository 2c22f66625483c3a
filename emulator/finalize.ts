// Turns a staged blob into a new object generation: hashes checked, preconditions checked, versioning applied.
import type { Services } from './context.js';
import { type Hashes, verifyClaimedHashes } from './hashes.js';
import type { ObjectAttrs, ObjectRecord, Preconditions } from './model.js';
import { checkPreconditions } from './preconditions.js';
import { checkRetention } from './retention.js';

export interface Finalization {
  bucket: string;
  name: string;
  /** Id of the staged blob holding the bytes; it is discarded if the object cannot be created. */
  blob: string;
  /** Size and hashes of the staged bytes, computed as they were stored. */
  received: Hashes & { size: number };
  attrs: ObjectAttrs;
  preconditions: Preconditions;
  claimed: Partial<Hashes>;
}

export async function finalizeObject(
  { catalog, store }: Services,
  upload: Finalization,
): Promise<ObjectRecord> {
  try {
    const { size, ...hashes } = upload.received;
    verifyClaimedHashes(upload.claimed, hashes);
    return await catalog.mutate(async (data) => {
      const bucket = catalog.bucket(upload.bucket);
      // Checked again here, inside the mutation, so a session started before a rival upload still fails.
      const live = catalog.live(upload.bucket, upload.name);
      checkPreconditions(live, upload.preconditions);
      // Replacing in place removes the live object; in a versioned bucket it becomes noncurrent instead.
      if (live && !bucket.versioning) checkRetention(bucket, live, catalog.now());
      await store.commit(upload.blob);
      const now = catalog.timestamp();
      const record: ObjectRecord = {
        ...upload.attrs,
        bucket: upload.bucket,
        name: upload.name,
        generation: catalog.nextGeneration(),
        metageneration: 1,
        size,
        ...hashes,
        blob: upload.blob,
        timeCreated: now,
        updated: now,
      };
      const names = data.objects[upload.bucket] ?? {};
      data.objects[upload.bucket] = names;
      const versions = names[upload.name] ?? [];
      if (live && bucket.versioning) live.timeDeleted = now;
      else if (live) {
        versions.pop();
        await store.remove(live.blob);
      }
      names[upload.name] = [...versions, record];
      return record;
    });
  } catch (error) {
    await store.discardStaged(upload.blob);
    throw error;
  }
}
