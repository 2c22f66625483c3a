// Object media downloads (`alt=media`), whole or by byte range, with the headers clients validate against.
import { pipeline } from 'node:stream/promises';
import type { RequestContext } from '../context.js';
import { ApiError } from '../json-errors.js';
import { findObject } from '../lookup.js';
import type { ObjectRecord } from '../model.js';
import { checkPreconditions, readPreconditions } from '../preconditions.js';

export async function downloadObject(ctx: RequestContext): Promise<void> {
  const [bucket = '', name = ''] = ctx.params;
  const query = ctx.url.searchParams;
  const object = findObject(ctx.catalog, bucket, name, query.get('generation'));
  checkPreconditions(object, readPreconditions(query));
  await sendObjectBytes(ctx, object);
}

/**
 * Answers with the object's bytes, whole or the one range asked for, and the headers clients check them
 * against; a HEAD request gets the headers alone.
 */
export async function sendObjectBytes(ctx: RequestContext, object: ObjectRecord): Promise<void> {
  const range = parseRange(ctx.req.headers.range, object.size);
  const headers: Record<string, string> = {
    'Content-Type': object.contentType ?? 'application/octet-stream',
    'Accept-Ranges': 'bytes',
    ETag: `"${object.md5Hash}"`,
    'Last-Modified': new Date(object.updated).toUTCString(),
    // Clients check whole downloads against these hashes.
    'x-goog-hash': `crc32c=${object.crc32c},md5=${object.md5Hash}`,
    'x-goog-generation': String(object.generation),
    'x-goog-metageneration': String(object.metageneration),
    'x-goog-stored-content-length': String(object.size),
    'x-goog-stored-content-encoding': object.contentEncoding ?? 'identity',
  };
  if (object.contentEncoding) headers['Content-Encoding'] = object.contentEncoding;
  if (object.contentDisposition) headers['Content-Disposition'] = object.contentDisposition;
  if (object.cacheControl) headers['Cache-Control'] = object.cacheControl;
  if (range === 'unsatisfiable') {
    throw new ApiError(416, 'The requested range cannot be satisfied.');
  }
  if (range) {
    headers['Content-Range'] = `bytes ${range.start}-${range.end}/${object.size}`;
    headers['Content-Length'] = String(range.end - range.start + 1);
    ctx.res.writeHead(206, headers);
  } else {
    headers['Content-Length'] = String(object.size);
    ctx.res.writeHead(200, headers);
  }
  if (object.size === 0 || ctx.req.method === 'HEAD') {
    ctx.res.end();
    return;
  }
  await pipeline(ctx.store.read(object.blob, range), ctx.res);
}

/** Reads a single `bytes=` range; anything else (absent, multiple ranges) means the whole object. */
export function parseRange(
  header: string | undefined,
  size: number,
): { start: number; end: number } | 'unsatisfiable' | undefined {
  const found = /^bytes=(\d*)-(\d*)$/.exec(header?.trim() ?? '');
  if (!found || (found[1] === '' && found[2] === '') || size === 0) return undefined;
  const [, first = '', last = ''] = found;
  if (first === '') {
    // `bytes=-n` asks for the last n bytes.
    return { start: Math.max(0, size - Number(last)), end: size - 1 };
  }
  const start = Number(first);
  if (start >= size) return 'unsatisfiable';
  const end = last === '' ? size - 1 : Math.min(Number(last), size - 1);
  return end < start ? 'unsatisfiable' : { start, end };
}
