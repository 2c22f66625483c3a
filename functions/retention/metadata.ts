// What retention records on a backup, written and read here: its class in custom metadata, beside the customTime
// (its retention end) by which Cloud Storage's lifecycle rule deletes it.
import type { ObjectInfo } from '../storage/objects.js';
import { RETENTION_CLASSES, type RetentionClass } from './classes.js';

const RETENTION_CLASS_KEY = 'retentionClass';
/** Present when the customTime was last moved by the newest-copy rule rather than by the class. */
const RETENTION_HOLD_KEY = 'retentionHold';
const NEWEST = 'newest';

/** A backup's retention as recorded on it. */
export interface Retention {
  /** Null when the object has a customTime but no class of ours (set by someone else). */
  class: RetentionClass | null;
  /** Its customTime: Cloud Storage deletes it once this has passed. */
  keptUntil: string;
  /** Kept past its class's end as its target's newest good copy. */
  newest?: true;
}

/** The metadata that says what a customTime set by its class means; null clears an earlier newest-copy mark. */
export function classMetadata(retentionClass: RetentionClass): Record<string, string | null> {
  return { [RETENTION_CLASS_KEY]: retentionClass, [RETENTION_HOLD_KEY]: null };
}

/** The metadata of a customTime moved by the newest-copy rule, when its class alone would end sooner. */
export function newestMetadata(retentionClass: RetentionClass): Record<string, string | null> {
  return { [RETENTION_CLASS_KEY]: retentionClass, [RETENTION_HOLD_KEY]: NEWEST };
}

function isRetentionClass(value: string | undefined): value is RetentionClass {
  return (RETENTION_CLASSES as readonly (string | undefined)[]).includes(value);
}

/** The inverse of the two above, with the customTime: undefined for an object that has no retention end. */
export function readRetention(info: Pick<ObjectInfo, 'customTime' | 'metadata'>): Retention | undefined {
  if (!info.customTime) return undefined;
  const recorded = info.metadata[RETENTION_CLASS_KEY];
  return {
    class: isRetentionClass(recorded) ? recorded : null,
    keptUntil: new Date(info.customTime).toISOString(),
    ...(info.metadata[RETENTION_HOLD_KEY] === NEWEST && { newest: true as const }),
  };
}
