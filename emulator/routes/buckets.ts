// Bucket routes: insert, get, list, patch (versioning, lifecycle, retention policy) and delete.
import type { RequestContext } from '../context.js';
import { readJsonObject, sendEmpty, sendJson } from '../http-io.js';
import { ApiError, badRequest } from '../json-errors.js';
import { type LifecycleRule, readLifecycle, readRetentionPeriod } from '../lifecycle/config.js';
import type { BucketRecord } from '../model.js';
import { bucketResource } from '../resources.js';

const BUCKET_NAME = /^[a-z0-9][a-z0-9._-]{1,61}[a-z0-9]$/;

export async function insertBucket(ctx: RequestContext): Promise<void> {
  const body = await readJsonObject(ctx.body);
  const { name } = body;
  if (typeof name !== 'string' || !BUCKET_NAME.test(name))
    throw badRequest(`Invalid bucket name: '${String(name)}'`);
  const versioning = readVersioning(body) ?? false;
  const lifecycle = readLifecycle(body);
  const retentionPeriod = readRetentionPeriod(body);
  const bucket = await ctx.catalog.mutate((data) => {
    if (data.buckets[name]) {
      throw new ApiError(
        409,
        'Your previous request to create the named bucket succeeded and you already own it.',
      );
    }
    const now = ctx.catalog.timestamp();
    const record: BucketRecord = { name, versioning, metageneration: 1, timeCreated: now, updated: now };
    applyConfig(record, lifecycle, retentionPeriod, now);
    data.buckets[name] = record;
    data.objects[name] = {};
    return record;
  });
  sendJson(ctx.res, 200, bucketResource(bucket, ctx.baseUrl));
}

export async function getBucket(ctx: RequestContext): Promise<void> {
  sendJson(ctx.res, 200, bucketResource(ctx.catalog.bucket(bucketParam(ctx)), ctx.baseUrl));
}

export async function listBuckets(ctx: RequestContext): Promise<void> {
  const prefix = ctx.url.searchParams.get('prefix') ?? '';
  const items = Object.values(ctx.catalog.data.buckets)
    .filter((bucket) => bucket.name.startsWith(prefix))
    .sort((a, b) => (a.name < b.name ? -1 : 1))
    .map((bucket) => bucketResource(bucket, ctx.baseUrl));
  sendJson(ctx.res, 200, { kind: 'storage#buckets', items });
}

export async function patchBucket(ctx: RequestContext): Promise<void> {
  const body = await readJsonObject(ctx.body);
  const versioning = readVersioning(body);
  const lifecycle = readLifecycle(body);
  const retentionPeriod = readRetentionPeriod(body);
  const bucket = await ctx.catalog.mutate(() => {
    const record = ctx.catalog.bucket(bucketParam(ctx));
    const now = ctx.catalog.timestamp();
    if (versioning !== undefined) record.versioning = versioning;
    applyConfig(record, lifecycle, retentionPeriod, now);
    record.metageneration += 1;
    record.updated = now;
    return record;
  });
  sendJson(ctx.res, 200, bucketResource(bucket, ctx.baseUrl));
}

export async function deleteBucket(ctx: RequestContext): Promise<void> {
  await ctx.catalog.mutate((data) => {
    const name = ctx.catalog.bucket(bucketParam(ctx)).name;
    if (Object.keys(data.objects[name] ?? {}).length > 0) {
      throw new ApiError(409, 'The bucket you tried to delete is not empty.');
    }
    delete data.buckets[name];
    delete data.objects[name];
  });
  sendEmpty(ctx.res, 204);
}

/** Sets or removes (`[]`, null) the lifecycle rules and retention policy a request carried. */
function applyConfig(
  record: BucketRecord,
  lifecycle: LifecycleRule[] | undefined,
  retentionPeriod: number | null | undefined,
  now: string,
): void {
  if (lifecycle?.length) record.lifecycle = lifecycle;
  else if (lifecycle) delete record.lifecycle;
  if (retentionPeriod === null) delete record.retentionPolicy;
  else if (retentionPeriod !== undefined) record.retentionPolicy = { retentionPeriod, effectiveTime: now };
}

function readVersioning(body: Record<string, unknown>): boolean | undefined {
  const versioning = body.versioning;
  if (versioning === undefined || versioning === null) return undefined;
  if (typeof versioning !== 'object' || typeof (versioning as { enabled?: unknown }).enabled !== 'boolean') {
    throw badRequest('versioning.enabled must be a boolean.');
  }
  return (versioning as { enabled: boolean }).enabled;
}

function bucketParam(ctx: RequestContext): string {
  return ctx.params[0] ?? '';
}
