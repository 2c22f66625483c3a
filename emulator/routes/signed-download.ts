// XML API object GETs through V4 signed URLs: `GET /<bucket>/<object>?X-Goog-Algorithm=…&X-Goog-Signature=…`.
import type { RequestContext } from '../context.js';
import { ApiError } from '../json-errors.js';
import { verifySignedUrl } from '../signed-url/verify.js';
import { XmlError } from '../xml-errors.js';
import { sendObjectBytes } from './download.js';

/**
 * Serves an object to a signed URL the emulator's trusted keys verify. The signature is checked before the
 * object is looked up, so a caller without one learns nothing of what exists; the XML API's own codes answer
 * a missing bucket or object and an unsatisfiable range.
 */
export async function signedDownload(ctx: RequestContext): Promise<void> {
  verifySignedUrl(ctx.req, ctx.url, ctx.signedUrlKeys, ctx.catalog.now());
  const [bucketName = '', name = ''] = ctx.params;
  const bucket = ctx.catalog.data.buckets[bucketName];
  if (!bucket) throw new XmlError(404, 'NoSuchBucket', 'The specified bucket does not exist.');
  const generation = ctx.url.searchParams.get('generation');
  const versions = ctx.catalog.versions(bucketName, name);
  const object = generation
    ? versions.find((record) => String(record.generation) === generation)
    : ctx.catalog.live(bucketName, name);
  if (!object) throw new XmlError(404, 'NoSuchKey', 'The specified key does not exist.');
  try {
    await sendObjectBytes(ctx, object);
  } catch (error) {
    if (error instanceof ApiError && error.status === 416) {
      throw new XmlError(416, 'InvalidRange', 'The requested range cannot be satisfied.');
    }
    throw error;
  }
}
