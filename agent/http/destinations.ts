// Where the agent agrees to send a dump: only a resumable-upload session of the storage origin and buckets its
// config names. A signed request is not enough, so a stolen signing key cannot stream a database anywhere else.
import { BackupError } from '../../core/errors.js';

export interface AllowedStorage {
  /** e.g. `https://storage.googleapis.com`; the emulator's origin locally. */
  origin: string;
  buckets: readonly string[];
}

const UPLOAD_PATH = /^\/upload\/storage\/v1\/b\/([^/]+)\/o$/;

/** Throws DESTINATION_REFUSED, naming what is wrong (never the session id), unless `uri` is an allowed session. */
export function checkUploadUri(uri: string, allowed: AllowedStorage): void {
  const refuse = (why: string): never => {
    throw new BackupError('DESTINATION_REFUSED', `uploadUri refused: ${why}`);
  };
  const url = URL.canParse(uri) ? new URL(uri) : refuse('not a URL');
  if (url.origin !== new URL(allowed.origin).origin)
    refuse(`${url.origin} is not the storage origin ${allowed.origin}`);
  if (url.username || url.password || url.hash) refuse('it carries credentials or a fragment');
  const bucket = UPLOAD_PATH.exec(url.pathname)?.[1];
  if (bucket === undefined) refuse('not a Cloud Storage upload path');
  if (!allowed.buckets.includes(decodeURIComponent(bucket as string)))
    refuse(`bucket ${bucket} is not allowed`);
  if (url.searchParams.get('uploadType') !== 'resumable' || !url.searchParams.get('upload_id')) {
    refuse('not a resumable upload session');
  }
}
