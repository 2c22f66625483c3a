// A bucket's retention policy: no object younger than its period can be deleted or replaced.
import { ApiError } from './json-errors.js';
import type { BucketRecord, ObjectRecord } from './model.js';

/** When `object` leaves the bucket's retention period, or undefined when the bucket has no policy. */
export function retainedUntil(bucket: BucketRecord, object: ObjectRecord): Date | undefined {
  const period = bucket.retentionPolicy?.retentionPeriod;
  return period === undefined ? undefined : new Date(Date.parse(object.timeCreated) + period * 1000);
}

/**
 * Throws the service's 403 when `object` is still within the retention period at `now`. Call it only when the
 * object would be removed for good or replaced in place: in a versioned bucket, a live object "can still be made
 * noncurrent" (cloud.google.com/storage/docs/bucket-lock), and the noncurrent version stays protected. The
 * message is the service's, as its own troubleshooting pages quote it (Dataflow troubleshooting, "Object is
 * subject to bucket's retention policy"); the status and reason are 403 retentionPolicyNotMet (bucket-lock).
 */
export function checkRetention(bucket: BucketRecord, object: ObjectRecord, now: Date): void {
  const until = retainedUntil(bucket, object);
  if (!until || now >= until) return;
  throw new ApiError(
    403,
    `Object '${object.bucket}/${object.name}' is subject to bucket's retention policy or object retention and cannot be deleted or overwritten until ${until.toISOString()}`,
    'retentionPolicyNotMet',
  );
}
