// The one way the function changes a backup's metadata once it exists: on exactly the generation and metageneration
// it read, with customTime only ever moved forward. An earlier customTime is never sent (Cloud Storage would refuse
// it too), so nothing in the function can shorten a backup's life, and it needs no permission to delete.
import type { Bucket } from '@google-cloud/storage';
import { BackupError } from '../../core/errors.js';
import { getObject, type ObjectInfo, objectInfo, statusOf } from './objects.js';

export interface ObjectUpdate {
  /** Custom metadata to merge; null removes a key. */
  metadata?: Record<string, string | null>;
  /** The retention end wanted: sent as the customTime only when later than the object's own. */
  keepUntil?: Date;
  /** Metadata saying what the new customTime means: written only when the customTime moves. */
  retention?: Record<string, string | null>;
}

/** Whether `until` is later than `customTime` (an object without one has no retention end yet). */
export function movesForward(until: Date, customTime: string | undefined): boolean {
  return customTime === undefined || until.getTime() > Date.parse(customTime);
}

/** A write that meets a concurrent one is decided again against the object as it then is, this many times. */
const ATTEMPTS = 3;

/**
 * Applies `update` to the generation `info` names and returns the object as written (or as it was, when nothing
 * needed writing). The metageneration precondition makes "later than the object's own customTime" hold for the
 * very value the write replaces; when another writer got there first (412), the object is read again.
 */
export async function updateObject(
  bucket: Bucket,
  info: ObjectInfo,
  update: ObjectUpdate,
): Promise<ObjectInfo> {
  let current = info;
  for (let attempt = 1; ; attempt++) {
    const { keepUntil } = update;
    const forward = keepUntil !== undefined && movesForward(keepUntil, current.customTime);
    const metadata = { ...update.metadata, ...(forward && update.retention) };
    if (!forward && Object.keys(metadata).length === 0) return current;
    try {
      const [written] = await bucket
        .file(current.name)
        .setMetadata(
          { metadata, ...(forward && { customTime: keepUntil.toISOString() }) },
          { ifGenerationMatch: current.generation, ifMetagenerationMatch: current.metageneration },
        );
      return objectInfo({ ...written, name: current.name });
    } catch (error) {
      if (statusOf(error) !== 412) throw error;
      const why =
        attempt === ATTEMPTS ? `kept changing through ${ATTEMPTS} attempts to update it` : undefined;
      const fresh = why ? null : await getObject(bucket, current.name);
      if (!fresh || fresh.generation !== current.generation) {
        const reason = why ?? 'was replaced or deleted while it was being updated';
        throw new BackupError('INTERNAL', `${current.name} (generation ${current.generation}) ${reason}`, {
          cause: error,
        });
      }
      current = fresh;
    }
  }
}
