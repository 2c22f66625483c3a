// The only places a dump may go: resumable sessions of the configured storage origin and buckets.
import { describe, expect, it } from 'vitest';
import { checkUploadUri } from '../../../../agent/http/destinations.js';

const allowed = { origin: 'https://storage.googleapis.com', buckets: ['acme-backups'] };
const session = (path: string, query = 'uploadType=resumable&name=x&upload_id=ABC') =>
  `https://storage.googleapis.com${path}?${query}`;

describe('checkUploadUri', () => {
  it('accepts a resumable session of an allowed bucket', () => {
    expect(() => checkUploadUri(session('/upload/storage/v1/b/acme-backups/o'), allowed)).not.toThrow();
  });

  it.each([
    [
      'plain http',
      'http://storage.googleapis.com/upload/storage/v1/b/acme-backups/o?uploadType=resumable&upload_id=A',
      'is not the storage origin',
    ],
    [
      'another host',
      'https://attacker.example/upload/storage/v1/b/acme-backups/o?uploadType=resumable&upload_id=A',
      'is not the storage origin',
    ],
    [
      'another port',
      'https://storage.googleapis.com:8443/upload/storage/v1/b/acme-backups/o?uploadType=resumable&upload_id=A',
      'is not the storage origin',
    ],
    [
      'another bucket',
      session('/upload/storage/v1/b/attacker-bucket/o'),
      'bucket attacker-bucket is not allowed',
    ],
    [
      'a download path',
      session('/download/storage/v1/b/acme-backups/o/x'),
      'not a Cloud Storage upload path',
    ],
    [
      'a single-request upload',
      session('/upload/storage/v1/b/acme-backups/o', 'uploadType=media&name=x'),
      'not a resumable upload session',
    ],
    [
      'user info',
      'https://u:p@storage.googleapis.com/upload/storage/v1/b/acme-backups/o?uploadType=resumable&upload_id=A',
      'carries credentials',
    ],
    ['not a URL', 'not a url', 'not a URL'],
  ])('refuses %s, saying why and never echoing the session id', (_what, uri, reason) => {
    expect(() => checkUploadUri(uri, allowed)).toThrow(
      expect.objectContaining({ code: 'DESTINATION_REFUSED' }),
    );
    try {
      checkUploadUri(uri, allowed);
    } catch (error) {
      expect((error as Error).message).toContain(reason);
      expect((error as Error).message).not.toContain('upload_id');
    }
  });
});
