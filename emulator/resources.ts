// Renders records as the JSON API's bucket and object resources, with links back to this emulator.
import type { Catalog } from './catalog.js';
import type { BucketRecord, ObjectRecord } from './model.js';
import { retainedUntil } from './retention.js';

export function bucketResource(bucket: BucketRecord, baseUrl: string): Record<string, unknown> {
  return {
    kind: 'storage#bucket',
    id: bucket.name,
    name: bucket.name,
    selfLink: `${baseUrl}/storage/v1/b/${bucket.name}`,
    projectNumber: '0',
    metageneration: String(bucket.metageneration),
    location: 'US',
    locationType: 'multi-region',
    storageClass: 'STANDARD',
    etag: etag(bucket.metageneration),
    timeCreated: bucket.timeCreated,
    updated: bucket.updated,
    versioning: { enabled: bucket.versioning },
    ...(bucket.lifecycle?.length && { lifecycle: { rule: bucket.lifecycle } }),
    ...(bucket.retentionPolicy && {
      retentionPolicy: {
        retentionPeriod: String(bucket.retentionPolicy.retentionPeriod),
        effectiveTime: bucket.retentionPolicy.effectiveTime,
        isLocked: false,
      },
    }),
  };
}

/** `catalog` gives the bucket's retention policy, from which the object's retention expiration follows. */
export function objectResource(
  object: ObjectRecord,
  baseUrl: string,
  catalog: Catalog,
): Record<string, unknown> {
  const bucket = catalog.data.buckets[object.bucket];
  const retainUntil = bucket && retainedUntil(bucket, object);
  const path = `b/${object.bucket}/o/${encodeURIComponent(object.name)}`;
  return {
    kind: 'storage#object',
    id: `${object.bucket}/${object.name}/${object.generation}`,
    selfLink: `${baseUrl}/storage/v1/${path}`,
    mediaLink: `${baseUrl}/download/storage/v1/${path}?generation=${object.generation}&alt=media`,
    name: object.name,
    bucket: object.bucket,
    generation: String(object.generation),
    metageneration: String(object.metageneration),
    contentType: object.contentType ?? 'application/octet-stream',
    contentEncoding: object.contentEncoding,
    contentDisposition: object.contentDisposition,
    contentLanguage: object.contentLanguage,
    cacheControl: object.cacheControl,
    metadata: object.metadata,
    customTime: object.customTime,
    storageClass: object.storageClass ?? 'STANDARD',
    size: String(object.size),
    md5Hash: object.md5Hash,
    crc32c: object.crc32c,
    etag: etag(object.generation, object.metageneration),
    timeCreated: object.timeCreated,
    updated: object.updated,
    timeStorageClassUpdated: object.timeStorageClassUpdated ?? object.timeCreated,
    timeDeleted: object.timeDeleted,
    retentionExpirationTime: retainUntil?.toISOString(),
  };
}

function etag(...parts: number[]): string {
  return Buffer.from(parts.join('/')).toString('base64');
}
