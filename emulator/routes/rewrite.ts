// Server-side copies: `copyTo` and `rewriteTo`, done in one step whatever the size.
import { randomUUID } from 'node:crypto';
import type { RequestContext } from '../context.js';
import { finalizeObject } from '../finalize.js';
import { readJsonObject, sendJson } from '../http-io.js';
import { findObject } from '../lookup.js';
import { pickAttrs, readObjectAttrs } from '../object-attrs.js';
import { checkPreconditions, readPreconditions } from '../preconditions.js';
import { objectResource } from '../resources.js';

export async function copyObject(ctx: RequestContext): Promise<void> {
  const [sourceBucket = '', sourceName = '', bucket = '', name = ''] = ctx.params;
  const query = ctx.url.searchParams;
  const body = await readJsonObject(ctx.body);
  const source = findObject(ctx.catalog, sourceBucket, sourceName, query.get('sourceGeneration'));
  checkPreconditions(source, readPreconditions(query, 'Source'));
  ctx.catalog.bucket(bucket);
  const { attrs } = readObjectAttrs(body);
  const staged = randomUUID();
  await ctx.store.append(staged, ctx.store.read(source.blob));
  const object = await finalizeObject(ctx, {
    bucket,
    name,
    blob: staged,
    received: { size: source.size, crc32c: source.crc32c, md5Hash: source.md5Hash },
    // With no metadata in the body the copy keeps the source's, as the service does.
    attrs: Object.keys(attrs).length > 0 ? attrs : pickAttrs(source),
    preconditions: readPreconditions(query),
    claimed: {},
  });
  const resource = objectResource(object, ctx.baseUrl, ctx.catalog);
  if (ctx.url.pathname.includes('/copyTo/')) {
    sendJson(ctx.res, 200, resource);
    return;
  }
  const size = String(object.size);
  sendJson(ctx.res, 200, {
    kind: 'storage#rewriteResponse',
    totalBytesRewritten: size,
    objectSize: size,
    done: true,
    resource,
  });
}
