// V4 signed URLs made by the official client with a fresh RSA key, served by the emulator's XML API route.
import { generateKeyPairSync } from 'node:crypto';
import { type Bucket, Storage } from '@google-cloud/storage';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type RunningEmulator, startEmulator } from '../../../emulator/index.js';
import { bytes, fingerprint, hashesOf, storageFor, uniqueBucket } from './client.js';

const client_email = 'restore-signer@test-project.iam.gserviceaccount.com';
const { publicKey, privateKey } = generateKeyPairSync('rsa', {
  modulusLength: 2048,
  publicKeyEncoding: { type: 'spki', format: 'pem' },
  privateKeyEncoding: { type: 'pkcs8', format: 'pem' },
});

let offset = 0;
let emulator: RunningEmulator;
let bucket: Bucket;
let signer: Storage;
const data = bytes(300 * 1024, 61);
const NAME = 'backups/db 2030&x ü.sql.gz';

beforeAll(async () => {
  emulator = await startEmulator({
    now: () => new Date(Date.now() + offset),
    signedUrlKeys: { [client_email]: publicKey },
  });
  [bucket] = await storageFor(emulator.url).createBucket(uniqueBucket(), { versioning: { enabled: true } });
  await bucket.file(NAME).save(data, { resumable: false });
  // Signing is local: the client never asks for a token to make a V4 signed URL from a private key.
  signer = new Storage({
    apiEndpoint: emulator.url,
    projectId: 'test',
    credentials: { client_email, private_key: privateKey },
  });
});

afterAll(async () => {
  await emulator.close();
});

async function signedUrl(name: string, expiresInMs = 60 * 60 * 1000): Promise<string> {
  const [url] = await signer
    .bucket(bucket.name)
    .file(name)
    .getSignedUrl({ version: 'v4', action: 'read', expires: Date.now() + expiresInMs });
  return url;
}

async function xmlCode(response: Response): Promise<string | undefined> {
  return /<Code>([^<]+)<\/Code>/.exec(await response.text())?.[1];
}

describe('V4 signed GET', () => {
  it('is addressed to the emulator, path-style, signed for its host', async () => {
    const url = new URL(await signedUrl(NAME));
    expect(url.origin).toBe(emulator.url);
    expect(url.pathname).toBe(`/${bucket.name}/backups/db%202030%26x%20%C3%BC.sql.gz`);
    expect(url.searchParams.get('X-Goog-SignedHeaders')).toBe('host');
  });

  it("serves the object's bytes with its hashes, generation and length", async () => {
    const response = await fetch(await signedUrl(NAME));
    expect(response.status).toBe(200);
    const { crc32c, md5Hash } = hashesOf(data);
    expect(response.headers.get('x-goog-hash')).toBe(`crc32c=${crc32c},md5=${md5Hash}`);
    expect(response.headers.get('x-goog-generation')).toBe(
      (await bucket.file(NAME).getMetadata())[0].generation,
    );
    expect(response.headers.get('content-length')).toBe(String(data.length));
    expect(fingerprint(Buffer.from(await response.arrayBuffer()))).toEqual(fingerprint(data));
  });

  it('serves a byte range with 206, and refuses a range past the end with 416', async () => {
    const url = await signedUrl(NAME);
    const part = await fetch(url, { headers: { Range: 'bytes=1000-1999' } });
    expect(part.status).toBe(206);
    expect(part.headers.get('content-range')).toBe(`bytes 1000-1999/${data.length}`);
    expect(Buffer.from(await part.arrayBuffer())).toEqual(data.subarray(1000, 2000));
    const past = await fetch(url, { headers: { Range: `bytes=${data.length}-` } });
    expect(past.status).toBe(416);
    expect(await xmlCode(past)).toBe('InvalidRange');
  });

  it('refuses a tampered URL with 403 SignatureDoesNotMatch, whatever was changed', async () => {
    const url = new URL(await signedUrl(NAME));
    const signature = url.searchParams.get('X-Goog-Signature') ?? '';
    const flipped = new URL(url);
    flipped.searchParams.set('X-Goog-Signature', `${signature[0] === 'a' ? 'b' : 'a'}${signature.slice(1)}`);
    const otherObject = new URL(url);
    otherObject.pathname = `/${bucket.name}/backups/other.sql.gz`;
    const longer = new URL(url);
    longer.searchParams.set('X-Goog-Expires', '604800');
    for (const tampered of [flipped, otherObject, longer]) {
      const response = await fetch(tampered);
      expect(response.status).toBe(403);
      expect(response.headers.get('content-type')).toContain('application/xml');
      expect(await xmlCode(response)).toBe('SignatureDoesNotMatch');
    }
  });

  it('refuses a URL signed by a key it does not trust', async () => {
    const stranger = new Storage({
      apiEndpoint: emulator.url,
      projectId: 'test',
      credentials: { client_email: 'stranger@test-project.iam.gserviceaccount.com', private_key: privateKey },
    });
    const [url] = await stranger
      .bucket(bucket.name)
      .file(NAME)
      .getSignedUrl({ version: 'v4', action: 'read', expires: Date.now() + 60_000 });
    expect((await fetch(url)).status).toBe(403);
  });

  it('refuses an expired URL with 400 ExpiredToken once the clock has passed its expiry', async () => {
    const url = await signedUrl(NAME, 60 * 60 * 1000);
    expect((await fetch(url)).status).toBe(200);
    offset = 2 * 60 * 60 * 1000;
    try {
      const response = await fetch(url);
      expect(response.status).toBe(400);
      const body = await response.text();
      expect(body).toContain('<Code>ExpiredToken</Code><Message>The provided token has expired.</Message>');
      expect(body).toMatch(
        /<Details>Request signature expired at: \d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\+00:00<\/Details>/,
      );
    } finally {
      offset = 0;
    }
  });

  it('refuses a malformed URL with 400 MalformedSecurityHeader naming the parameter', async () => {
    const url = new URL(await signedUrl(NAME));
    url.searchParams.set('X-Goog-Expires', 'soon');
    const response = await fetch(url);
    expect(response.status).toBe(400);
    const body = await response.text();
    expect(body).toContain('<Code>MalformedSecurityHeader</Code>');
    expect(body).toContain('<ParameterName>X-Goog-Expires</ParameterName>');
    url.searchParams.delete('X-Goog-Date');
    expect(await xmlCode(await fetch(url))).toBe('MalformedSecurityHeader');
  });

  it('answers a missing object with 404 NoSuchKey and a missing bucket with 404 NoSuchBucket', async () => {
    const missing = await fetch(await signedUrl('backups/never-written.sql.gz'));
    expect(missing.status).toBe(404);
    expect(await xmlCode(missing)).toBe('NoSuchKey');
    const [noBucket] = await signer
      .bucket('no-such-bucket')
      .file('x')
      .getSignedUrl({ version: 'v4', action: 'read', expires: Date.now() + 60_000 });
    const response = await fetch(noBucket);
    expect(response.status).toBe(404);
    expect(await xmlCode(response)).toBe('NoSuchBucket');
  });
});

describe('signedUrlKeys', () => {
  it('refuses a key that is not an RSA public key, naming its account', async () => {
    await expect(
      startEmulator({ signedUrlKeys: { 'x@test.iam.gserviceaccount.com': 'not a key' } }),
    ).rejects.toThrow('x@test.iam.gserviceaccount.com');
    const { publicKey: ed25519 } = generateKeyPairSync('ed25519', {
      publicKeyEncoding: { type: 'spki', format: 'pem' },
      privateKeyEncoding: { type: 'pkcs8', format: 'pem' },
    });
    await expect(startEmulator({ signedUrlKeys: { 'y@test': ed25519 } })).rejects.toThrow('not RSA');
  });
});
