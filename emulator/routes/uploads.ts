// Upload starts: `uploadType=media` and `multipart` in one request, `resumable` opening a session.
import { randomUUID } from 'node:crypto';
import { Readable } from 'node:stream';
import type { RequestContext } from '../context.js';
import { finalizeObject } from '../finalize.js';
import { type Hashes, parseGoogHash } from '../hashes.js';
import { readBuffer, readJsonObject, sendEmpty, sendJson } from '../http-io.js';
import { badRequest } from '../json-errors.js';
import type { ObjectAttrs, SessionRecord } from '../model.js';
import { parseMultipartRelated } from '../multipart.js';
import { readObjectAttrs } from '../object-attrs.js';
import { readPreconditions } from '../preconditions.js';
import { objectResource } from '../resources.js';
import { hashedAsStored, RunningHash } from '../running-hash.js';

export async function startUpload(ctx: RequestContext): Promise<void> {
  const [bucket = ''] = ctx.params;
  ctx.catalog.bucket(bucket);
  const uploadType = ctx.url.searchParams.get('uploadType');
  if (uploadType === 'media') return mediaUpload(ctx, bucket);
  if (uploadType === 'multipart') return multipartUpload(ctx, bucket);
  if (uploadType === 'resumable') return openSession(ctx, bucket);
  throw badRequest(`Invalid uploadType: ${uploadType ?? '(none)'}`);
}

async function mediaUpload(ctx: RequestContext, bucket: string): Promise<void> {
  const attrs: ObjectAttrs = { contentType: ctx.req.headers['content-type'] };
  await storeObject(ctx, bucket, objectName(ctx, {}), attrs, {}, ctx.body);
}

async function multipartUpload(ctx: RequestContext, bucket: string): Promise<void> {
  const upload = parseMultipartRelated(ctx.req.headers['content-type'], await readBuffer(ctx.body));
  const { attrs } = readObjectAttrs(upload.metadata);
  attrs.contentType ??= upload.mediaType;
  const name = objectName(ctx, upload.metadata);
  await storeObject(
    ctx,
    bucket,
    name,
    attrs,
    claimedInMetadata(upload.metadata),
    Readable.from([upload.media]),
  );
}

async function storeObject(
  ctx: RequestContext,
  bucket: string,
  name: string,
  attrs: ObjectAttrs,
  claimed: Partial<Hashes>,
  bytes: Readable,
): Promise<void> {
  const blob = randomUUID();
  const hash = new RunningHash();
  try {
    await ctx.store.append(blob, Readable.from(hashedAsStored(bytes, hash)));
  } catch (error) {
    await ctx.store.discardStaged(blob);
    throw error;
  }
  const object = await finalizeObject(ctx, {
    bucket,
    name,
    blob,
    received: hash.digest(),
    attrs,
    preconditions: readPreconditions(ctx.url.searchParams),
    claimed: { ...claimed, ...parseGoogHash(ctx.req.headers['x-goog-hash']) },
  });
  sendJson(ctx.res, 200, objectResource(object, ctx.baseUrl, ctx.catalog));
}

async function openSession(ctx: RequestContext, bucket: string): Promise<void> {
  const metadata = await readJsonObject(ctx.body);
  const name = objectName(ctx, metadata);
  // Preconditions are kept with the session and checked only when the upload finalizes, as the service does:
  // Google's storage testbench (gcs/upload.py, class Upload: "pre-conditions are provided at the start of the
  // upload, but are used when the upload completes") and fake-gcs-server (fakestorage/upload.go, resumableUpload
  // stores the object attributes and checks nothing) both create the session whatever the live object is.
  const preconditions = readPreconditions(ctx.url.searchParams);
  const { attrs } = readObjectAttrs(metadata);
  const announcedType = ctx.req.headers['x-upload-content-type'];
  if (typeof announcedType === 'string') attrs.contentType ??= announcedType;
  const session: SessionRecord = {
    id: randomUUID().replaceAll('-', ''),
    bucket,
    name,
    attrs,
    preconditions,
    claimed: claimedInMetadata(metadata),
    state: 'open',
  };
  await ctx.store.append(session.id, Readable.from([]));
  await ctx.catalog.mutate((data) => {
    data.sessions[session.id] = session;
  });
  const location = new URL(`${ctx.baseUrl}${ctx.url.pathname}`);
  location.searchParams.set('uploadType', 'resumable');
  location.searchParams.set('name', name);
  location.searchParams.set('upload_id', session.id);
  sendEmpty(ctx.res, 200, { Location: location.toString(), 'X-GUploader-UploadID': session.id });
}

/** The object name comes from the `name` query parameter or else from the metadata. */
function objectName(ctx: RequestContext, metadata: Record<string, unknown>): string {
  const name = ctx.url.searchParams.get('name') ?? metadata.name;
  if (typeof name !== 'string' || name === '') throw badRequest('Required parameter: name');
  return name;
}

function claimedInMetadata(metadata: Record<string, unknown>): Partial<Hashes> {
  const claimed: Partial<Hashes> = {};
  if (typeof metadata.crc32c === 'string') claimed.crc32c = metadata.crc32c;
  if (typeof metadata.md5Hash === 'string') claimed.md5Hash = metadata.md5Hash;
  return claimed;
}
