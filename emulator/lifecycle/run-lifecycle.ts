// One pass of lifecycle management over every bucket, as of a given time, applied to the catalog.
import type { Catalog } from '../catalog.js';
import type { BucketRecord, ObjectRecord } from '../model.js';
import { retainedUntil } from '../retention.js';
import type { BlobStore } from '../store/blob-store.js';
import { type Candidate, conditionsHold } from './conditions.js';
import { type LifecycleRule, STORAGE_CLASSES } from './config.js';

export interface LifecycleChange {
  bucket: string;
  name: string;
  generation: string;
  /** `deleted`: removed for good; `noncurrent`: a live object in a versioned bucket kept as noncurrent. */
  outcome: 'deleted' | 'noncurrent' | 'storageClassChanged';
  storageClass?: string;
}

export interface LifecycleReport {
  now: string;
  changes: LifecycleChange[];
  /** Objects a Delete rule matched that the bucket's retention policy still protects. */
  retained: { bucket: string; name: string; generation: string; retainedUntil: string }[];
}

/**
 * Evaluates every rule against the objects as they stand at the start of the pass, then applies what matched:
 * an object made noncurrent now is judged as noncurrent on the next pass, as with the service, whose lifecycle
 * acts asynchronously. Delete wins over SetStorageClass, and of several SetStorageClass rules the coldest class
 * wins (cloud.google.com/storage/docs/lifecycle, "multiple rules"); a class change only ever goes colder.
 */
export function runLifecycle(catalog: Catalog, store: BlobStore, now: Date): Promise<LifecycleReport> {
  return catalog.mutate(async (data) => {
    const report: LifecycleReport = { now: now.toISOString(), changes: [], retained: [] };
    for (const bucket of Object.values(data.buckets)) {
      const rules = bucket.lifecycle ?? [];
      if (rules.length === 0) continue;
      const names = data.objects[bucket.name] ?? {};
      const decisions = Object.values(names).flatMap((versions) =>
        candidates(versions).map((candidate) => ({ candidate, action: decide(rules, candidate, now) })),
      );
      for (const { candidate, action } of decisions) {
        if (action === 'Delete') await remove(bucket, names, candidate, now, store, report);
        else if (action) changeClass(candidate.object, action, now, report);
      }
    }
    return report;
  });
}

function candidates(versions: ObjectRecord[]): Candidate[] {
  return versions.map((object, index) => ({
    object,
    live: index === versions.length - 1 && !object.timeDeleted,
    newerVersions: versions.length - 1 - index,
  }));
}

/** `Delete`, the storage class to move to, or undefined when no rule acts. */
function decide(rules: LifecycleRule[], candidate: Candidate, now: Date): 'Delete' | string | undefined {
  const actions = rules
    .filter((rule) => conditionsHold(rule.condition, candidate, now))
    .map((rule) => rule.action);
  if (actions.some((action) => action.type === 'Delete')) return 'Delete';
  const current = coldness(candidate.object.storageClass ?? 'STANDARD');
  const coldest = actions
    .flatMap((action) => (action.type === 'SetStorageClass' ? [action.storageClass] : []))
    .sort((a, b) => coldness(b) - coldness(a))[0];
  return coldest !== undefined && coldness(coldest) > current ? coldest : undefined;
}

async function remove(
  bucket: BucketRecord,
  names: Record<string, ObjectRecord[]>,
  { object, live }: Candidate,
  now: Date,
  store: BlobStore,
  report: LifecycleReport,
): Promise<void> {
  const where = { bucket: bucket.name, name: object.name, generation: String(object.generation) };
  if (live && bucket.versioning) {
    object.timeDeleted = now.toISOString();
    report.changes.push({ ...where, outcome: 'noncurrent' });
    return;
  }
  const until = retainedUntil(bucket, object);
  if (until && now < until) {
    report.retained.push({ ...where, retainedUntil: until.toISOString() });
    return;
  }
  const kept = (names[object.name] ?? []).filter((record) => record !== object);
  if (kept.length > 0) names[object.name] = kept;
  else delete names[object.name];
  await store.remove(object.blob);
  report.changes.push({ ...where, outcome: 'deleted' });
}

function changeClass(object: ObjectRecord, storageClass: string, now: Date, report: LifecycleReport): void {
  object.storageClass = storageClass;
  object.timeStorageClassUpdated = now.toISOString();
  report.changes.push({
    bucket: object.bucket,
    name: object.name,
    generation: String(object.generation),
    outcome: 'storageClassChanged',
    storageClass,
  });
}

function coldness(storageClass: string): number {
  return STORAGE_CLASSES.indexOf(storageClass as (typeof STORAGE_CLASSES)[number]);
}
