// The only places a dump may go and be read from: resumable sessions and signed reads of the configured storage.
import { describe, expect, it } from 'vitest';
import { checkDownloadUrl, checkUploadUri } from '../../../../agent/http/destinations.js';

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

describe('checkDownloadUrl', () => {
  const signed =
    'X-Goog-Algorithm=GOOG4-RSA-SHA256&X-Goog-Credential=fn%40p.iam.gserviceaccount.com%2F20261130%2Fauto%2Fstorage%2Fgoog4_request&X-Goog-Date=20261130T020000Z&X-Goog-Expires=3600&X-Goog-SignedHeaders=host&X-Goog-Signature=abc123';
  const url = (path: string, query = signed, origin = 'https://storage.googleapis.com') =>
    `${origin}${path}?${query}`;
  const object = 'nightly/HospitalDB_20261130.sql.gz';

  it('accepts a V4 signed GET of the restored object in an allowed bucket, pinned to a generation or not', () => {
    expect(() =>
      checkDownloadUrl(url('/acme-backups/nightly/HospitalDB_20261130.sql.gz'), allowed, object),
    ).not.toThrow();
    const pinned = url(
      '/acme-backups/nightly%2FHospitalDB_20261130.sql.gz',
      `${signed}&generation=1796023849372000`,
    );
    expect(() => checkDownloadUrl(pinned, allowed, object)).not.toThrow();
  });

  it.each([
    ['another host', url('/acme-backups/x', signed, 'https://attacker.example'), 'is not the storage origin'],
    [
      'another bucket',
      url('/attacker-bucket/nightly/HospitalDB_20261130.sql.gz'),
      'bucket attacker-bucket is not allowed',
    ],
    ['another object', url('/acme-backups/nightly/app_20261130.sql.gz'), 'reads another object'],
    [
      'an unsigned URL',
      url('/acme-backups/nightly/HospitalDB_20261130.sql.gz', 'alt=media'),
      'not a V4 signed URL',
    ],
    [
      'an extra parameter',
      url('/acme-backups/nightly/HospitalDB_20261130.sql.gz', `${signed}&response-content-disposition=x`),
      'response-content-disposition',
    ],
    [
      'a lifetime past a week',
      url(
        '/acme-backups/nightly/HospitalDB_20261130.sql.gz',
        signed.replace('Expires=3600', 'Expires=604801'),
      ),
      'X-Goog-Expires',
    ],
    ['a JSON API path', url('/storage/v1/b/acme-backups/o/x'), 'bucket storage is not allowed'],
  ])('refuses %s, saying why and never echoing the signature', (_what, uri, reason) => {
    try {
      checkDownloadUrl(uri, allowed, object);
      throw new Error('accepted');
    } catch (error) {
      expect(error).toMatchObject({ code: 'DESTINATION_REFUSED' });
      expect((error as Error).message).toContain(reason);
      expect((error as Error).message).not.toContain('abc123');
    }
  });
});
