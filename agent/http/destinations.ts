// Where the agent agrees to send a dump, and where it agrees to read one: only a resumable-upload session, or a V4
// signed GET URL of exactly the object it restores, of the storage origin and buckets its config names. A signed
// request is not enough, so a stolen signing key cannot stream a database anywhere else or feed it another one.
import { BackupError } from '../../core/errors.js';

export interface AllowedStorage {
  /** e.g. `https://storage.googleapis.com`; the emulator's origin locally. */
  origin: string;
  buckets: readonly string[];
}

const UPLOAD_PATH = /^\/upload\/storage\/v1\/b\/([^/]+)\/o$/;
/** The XML API's path-style object address, as the storage client signs it: `/<bucket>/<object>`. */
const OBJECT_PATH = /^\/([^/]+)\/(.+)$/;
/** What a V4 signed URL carries, and `generation`, which pins the one version it reads. */
const SIGNED_PARAMS = [
  'X-Goog-Algorithm',
  'X-Goog-Credential',
  'X-Goog-Date',
  'X-Goog-Expires',
  'X-Goog-SignedHeaders',
  'X-Goog-Signature',
];
/** The longest a V4 signed URL can live. */
const MAX_EXPIRES_SECONDS = 7 * 24 * 3600;

type Refuse = (why: string) => never;

function refuser(what: string): Refuse {
  return (why) => {
    throw new BackupError('DESTINATION_REFUSED', `${what} refused: ${why}`);
  };
}

/** The URL of an allowed origin, with neither credentials nor a fragment. */
function storageUrl(uri: string, allowed: AllowedStorage, refuse: Refuse): URL {
  const url = URL.canParse(uri) ? new URL(uri) : refuse('not a URL');
  if (url.origin !== new URL(allowed.origin).origin)
    refuse(`${url.origin} is not the storage origin ${allowed.origin}`);
  if (url.username || url.password || url.hash) refuse('it carries credentials or a fragment');
  return url;
}

function checkBucket(bucket: string, allowed: AllowedStorage, refuse: Refuse): void {
  if (!allowed.buckets.includes(bucket)) refuse(`bucket ${bucket} is not allowed`);
}

/** Throws DESTINATION_REFUSED, naming what is wrong (never the session id), unless `uri` is an allowed session. */
export function checkUploadUri(uri: string, allowed: AllowedStorage): void {
  const refuse = refuser('uploadUri');
  const url = storageUrl(uri, allowed, refuse);
  const bucket = UPLOAD_PATH.exec(url.pathname)?.[1];
  if (bucket === undefined) refuse('not a Cloud Storage upload path');
  checkBucket(decodeURIComponent(bucket as string), allowed, refuse);
  if (url.searchParams.get('uploadType') !== 'resumable' || !url.searchParams.get('upload_id')) {
    refuse('not a resumable upload session');
  }
}

/**
 * Throws DESTINATION_REFUSED, naming what is wrong (never the signature), unless `uri` is a V4 signed GET URL of
 * `objectName` in an allowed bucket, carrying nothing but the signature's parameters and a generation.
 */
export function checkDownloadUrl(uri: string, allowed: AllowedStorage, objectName: string): void {
  const refuse = refuser('downloadUrl');
  const url = storageUrl(uri, allowed, refuse);
  const [, bucket, object] = OBJECT_PATH.exec(url.pathname) ?? [];
  if (bucket === undefined || object === undefined) refuse('not a Cloud Storage object path');
  const decode = (part: string) => {
    try {
      return decodeURIComponent(part);
    } catch {
      return refuse('the path is not valid percent-encoding');
    }
  };
  checkBucket(decode(bucket as string), allowed, refuse);
  if (decode(object as string) !== objectName) refuse(`it reads another object than ${objectName}`);
  const names = [...url.searchParams.keys()];
  const missing = SIGNED_PARAMS.filter((name) => !url.searchParams.get(name));
  if (missing.length > 0) refuse(`not a V4 signed URL (no ${missing.join(', ')})`);
  const other = names.filter((name) => !SIGNED_PARAMS.includes(name) && name !== 'generation');
  if (other.length > 0 || new Set(names).size !== names.length) {
    refuse(
      `it carries parameters a signed read of one object does not: ${[...new Set(other)].join(', ') || 'repeats'}`,
    );
  }
  const expires = Number(url.searchParams.get('X-Goog-Expires'));
  if (!Number.isInteger(expires) || expires < 1 || expires > MAX_EXPIRES_SECONDS) {
    refuse('X-Goog-Expires is not 1 to 604800 seconds');
  }
  const generation = url.searchParams.get('generation');
  if (generation !== null && !/^\d{1,20}$/.test(generation)) refuse('generation is not a number');
}
