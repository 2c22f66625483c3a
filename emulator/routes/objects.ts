// Object metadata routes: get, list, patch and delete.
import type { RequestContext } from '../context.js';
import { checkCustomTimeChange } from '../custom-time.js';
import { booleanParam, readJsonObject, sendEmpty, sendJson } from '../http-io.js';
import { badRequest } from '../json-errors.js';
import { listPage } from '../listing.js';
import { findObject } from '../lookup.js';
import type { ObjectRecord } from '../model.js';
import { readObjectAttrs } from '../object-attrs.js';
import { checkPreconditions, readPreconditions } from '../preconditions.js';
import { objectResource } from '../resources.js';
import { checkRetention } from '../retention.js';
import { downloadObject } from './download.js';

export async function getObject(ctx: RequestContext): Promise<void> {
  if (ctx.url.searchParams.get('alt') === 'media') return downloadObject(ctx);
  const [bucket = '', name = ''] = ctx.params;
  const query = ctx.url.searchParams;
  const object = findObject(ctx.catalog, bucket, name, query.get('generation'));
  checkPreconditions(object, readPreconditions(query));
  sendJson(ctx.res, 200, objectResource(object, ctx.baseUrl, ctx.catalog));
}

export async function listObjects(ctx: RequestContext): Promise<void> {
  const [bucket = ''] = ctx.params;
  ctx.catalog.bucket(bucket);
  const query = ctx.url.searchParams;
  const versions = booleanParam(query, 'versions');
  const names = ctx.catalog.data.objects[bucket] ?? {};
  const records = Object.keys(names)
    .sort()
    .flatMap((name) => {
      const kept = names[name] ?? [];
      if (versions) return kept;
      const live = ctx.catalog.live(bucket, name);
      return live ? [live] : [];
    });
  const maxResults = Number(query.get('maxResults') ?? 1000);
  if (!Number.isInteger(maxResults) || maxResults < 1)
    throw badRequest('maxResults must be a positive integer.');
  const page = listPage(records, {
    prefix: query.get('prefix') ?? undefined,
    delimiter: query.get('delimiter') || undefined,
    startOffset: query.get('startOffset') ?? undefined,
    endOffset: query.get('endOffset') ?? undefined,
    pageToken: query.get('pageToken') ?? undefined,
    maxResults: Math.min(maxResults, 1000),
  });
  // Like the service, empty lists are left out rather than sent as [].
  sendJson(ctx.res, 200, {
    kind: 'storage#objects',
    ...(page.items.length > 0 && {
      items: page.items.map((item) => objectResource(item, ctx.baseUrl, ctx.catalog)),
    }),
    ...(page.prefixes.length > 0 && { prefixes: page.prefixes }),
    ...(page.nextPageToken && { nextPageToken: page.nextPageToken }),
  });
}

export async function patchObject(ctx: RequestContext): Promise<void> {
  const [bucket = '', name = ''] = ctx.params;
  const query = ctx.url.searchParams;
  const { attrs, cleared, clearedMetadata } = readObjectAttrs(await readJsonObject(ctx.body));
  const object = await ctx.catalog.mutate(() => {
    const target = findObject(ctx.catalog, bucket, name, query.get('generation'));
    checkPreconditions(target, readPreconditions(query));
    if (attrs.customTime !== undefined || cleared.includes('customTime')) {
      checkCustomTimeChange(target.customTime, attrs.customTime ?? null);
    }
    const { metadata, ...fields } = attrs;
    Object.assign(target, fields);
    for (const field of cleared) delete target[field as keyof ObjectRecord];
    if (metadata || clearedMetadata.length > 0) {
      const merged = { ...target.metadata, ...metadata };
      for (const key of clearedMetadata) delete merged[key];
      target.metadata = merged;
    }
    target.metageneration += 1;
    target.updated = ctx.catalog.timestamp();
    return target;
  });
  sendJson(ctx.res, 200, objectResource(object, ctx.baseUrl, ctx.catalog));
}

export async function deleteObject(ctx: RequestContext): Promise<void> {
  const [bucket = '', name = ''] = ctx.params;
  const query = ctx.url.searchParams;
  const generation = query.get('generation');
  await ctx.catalog.mutate(async (data) => {
    const target = findObject(ctx.catalog, bucket, name, generation);
    checkPreconditions(target, readPreconditions(query));
    const record = ctx.catalog.bucket(bucket);
    // In a versioned bucket, deleting the live object keeps it as a noncurrent version.
    if (!generation && record.versioning) {
      target.timeDeleted = ctx.catalog.timestamp();
      return;
    }
    checkRetention(record, target, ctx.catalog.now());
    const names = data.objects[bucket] ?? {};
    const kept = (names[name] ?? []).filter((record) => record !== target);
    if (kept.length > 0) names[name] = kept;
    else delete names[name];
    await ctx.store.remove(target.blob);
  });
  sendEmpty(ctx.res, 204);
}
