// Checks a V4 signed URL: its parameters, its expiry on the emulator's clock and its RSA-SHA256 signature.
import { type KeyObject, verify } from 'node:crypto';
import type { IncomingMessage } from 'node:http';
import { malformed, XmlError } from '../xml-errors.js';
import {
  ALGORITHM,
  canonicalHeaders,
  canonicalPath,
  canonicalQuery,
  canonicalRequest,
  stringToSign,
} from './canonical.js';

/** The longest a V4 signed URL may live: seven days. */
const MAX_EXPIRES_SECONDS = 7 * 24 * 60 * 60;

interface SignedUrlParams {
  email: string;
  scope: string;
  date: string;
  expiresAt: Date;
  signedHeaders: string[];
  signature: Buffer;
}

/** Whether a request carries a signed URL's parameters (their names are case-insensitive). */
export function isSignedUrl(url: URL): boolean {
  return param(url, 'X-Goog-Algorithm') !== undefined;
}

/**
 * Verifies the request against the key trusted for the signing service account, as the "V4 signing process"
 * describes (cloud.google.com/storage/docs/authentication/signatures): the canonical request is rebuilt from
 * the request, hashed into the string-to-sign with the credential scope, and the hex X-Goog-Signature must be
 * its RSA-SHA256 signature. Expired: 400 ExpiredToken "The provided token has expired." with "Request signature
 * expired at: <time>", as the service answers (a captured answer is quoted in googleapis/nodejs-storage issues
 * and in fog/fog-google#264).
 */
export function verifySignedUrl(
  req: IncomingMessage,
  url: URL,
  keys: ReadonlyMap<string, KeyObject>,
  now: Date,
): void {
  const params = readParams(url);
  if (now > params.expiresAt) {
    throw new XmlError(400, 'ExpiredToken', 'The provided token has expired.', {
      Details: `Request signature expired at: ${params.expiresAt.toISOString().replace(/\.\d+Z$/, '+00:00')}`,
    });
  }
  const rawQuery = url.search;
  const candidates = hostSpellings(req.headers.host ?? '').map((host) => {
    const headers = params.signedHeaders.map((name): [string, string] => [
      name,
      name === 'host' ? host : headerValue(req, name),
    ]);
    const request = canonicalRequest({
      method: req.method ?? 'GET',
      path: decodeOrRefuse(() => canonicalPath(url.pathname), 'path'),
      query: decodeOrRefuse(() => canonicalQuery(rawQuery), 'query'),
      headers: canonicalHeaders(headers),
      signedHeaders: params.signedHeaders.join(';'),
      payload: params.signedHeaders.includes('x-goog-content-sha256')
        ? headerValue(req, 'x-goog-content-sha256')
        : 'UNSIGNED-PAYLOAD',
    });
    return { request, toSign: stringToSign(params.date, params.scope, request) };
  });
  const key = keys.get(params.email);
  if (
    key &&
    candidates.some(({ toSign }) => verify('RSA-SHA256', Buffer.from(toSign), key, params.signature))
  )
    return;
  const [first] = candidates;
  throw new XmlError(
    403,
    'SignatureDoesNotMatch',
    'The request signature we calculated does not match the signature you provided. Check your Google secret key and signing method.',
    {
      ...(!key && { Details: `No public key is trusted for ${params.email}.` }),
      StringToSign: first?.toSign ?? '',
      CanonicalRequest: first?.request ?? '',
    },
  );
}

function readParams(url: URL): SignedUrlParams {
  const required = (name: string): string => {
    const value = param(url, name);
    if (value === undefined || value === '') throw malformed(name, `Missing ${name} parameter.`);
    return value;
  };
  const algorithm = required('X-Goog-Algorithm');
  if (algorithm !== ALGORITHM) throw malformed('X-Goog-Algorithm', `Unsupported algorithm: ${algorithm}.`);
  const date = required('X-Goog-Date');
  const time = /^(\d{4})(\d{2})(\d{2})T(\d{2})(\d{2})(\d{2})Z$/.exec(date);
  const start = time
    ? Date.parse(`${time[1]}-${time[2]}-${time[3]}T${time[4]}:${time[5]}:${time[6]}Z`)
    : Number.NaN;
  if (Number.isNaN(start))
    throw malformed('X-Goog-Date', `Invalid date: ${date}; expected YYYYMMDD'T'HHMMSS'Z'.`);
  const credential = required('X-Goog-Credential').split('/');
  const scope = credential.slice(-4);
  const email = credential.slice(0, -4).join('/');
  if (!email || scope[0] !== date.slice(0, 8) || scope[2] !== 'storage' || scope[3] !== 'goog4_request') {
    throw malformed(
      'X-Goog-Credential',
      'Expected <email>/<date of X-Goog-Date>/<location>/storage/goog4_request.',
    );
  }
  const expires = required('X-Goog-Expires');
  if (!/^\d+$/.test(expires) || Number(expires) < 1 || Number(expires) > MAX_EXPIRES_SECONDS) {
    throw malformed(
      'X-Goog-Expires',
      `Expires must be between 1 and ${MAX_EXPIRES_SECONDS} seconds: ${expires}.`,
    );
  }
  const signedHeaders = required('X-Goog-SignedHeaders').split(';');
  if (!signedHeaders.includes('host'))
    throw malformed('X-Goog-SignedHeaders', 'The host header must be signed.');
  const signature = required('X-Goog-Signature');
  if (!/^(?:[0-9a-fA-F]{2})+$/.test(signature))
    throw malformed('X-Goog-Signature', 'The signature is not hex.');
  return {
    email,
    scope: scope.join('/'),
    date,
    expiresAt: new Date(start + Number(expires) * 1000),
    signedHeaders,
    signature: Buffer.from(signature, 'hex'),
  };
}

/** A query parameter by case-insensitive name, as the service reads the X-Goog-* parameters. */
function param(url: URL, name: string): string | undefined {
  for (const [key, value] of url.searchParams) if (key.toLowerCase() === name.toLowerCase()) return value;
  return undefined;
}

/**
 * The Host header as sent and, when it carries a port, without it: @google-cloud/storage signs `host` with the
 * hostname of its apiEndpoint only (build/esm/src/signer.js, getSignedUrlV4: `extensionHeaders.host =
 * fqdn.hostname`), while the request's Host header keeps the emulator's port.
 */
function hostSpellings(host: string): string[] {
  const withoutPort = host.replace(/:\d+$/, '');
  return withoutPort === host ? [host] : [host, withoutPort];
}

function headerValue(req: IncomingMessage, name: string): string {
  const value = req.headers[name];
  return Array.isArray(value) ? value.join(',') : (value ?? '');
}

function decodeOrRefuse(build: () => string, part: string): string {
  try {
    return build();
  } catch {
    throw malformed(part, `The ${part} holds an invalid percent-encoding.`);
  }
}
