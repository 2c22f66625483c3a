// The V4 canonical request and string-to-sign of a signed URL, rebuilt from the request that carries it.
import { createHash } from 'node:crypto';

export const ALGORITHM = 'GOOG4-RSA-SHA256';
const SIGNATURE_PARAMETER = 'x-goog-signature';

/**
 * Percent-encodes every byte but the unreserved A-Z a-z 0-9 - . _ ~, with upper-case hex, as the canonical
 * request requires (cloud.google.com/storage/docs/authentication/canonical-requests).
 */
export function v4Encode(text: string): string {
  return encodeURIComponent(text).replace(
    /[!'()*]/g,
    (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`,
  );
}

/** The path as the signer encoded it: each segment decoded and encoded again, slashes kept. */
export function canonicalPath(rawPath: string): string {
  return rawPath
    .split('/')
    .map((segment) => v4Encode(decodeURIComponent(segment)))
    .join('/');
}

/** Every query parameter but the signature, names and values encoded, sorted by name and then value. */
export function canonicalQuery(rawQuery: string): string {
  return rawQuery
    .replace(/^\?/, '')
    .split('&')
    .filter((pair) => pair !== '')
    .map((pair) => {
      const at = pair.indexOf('=');
      const [name, value] = at < 0 ? [pair, ''] : [pair.slice(0, at), pair.slice(at + 1)];
      return [v4Encode(decodeURIComponent(name)), v4Encode(decodeURIComponent(value))] as const;
    })
    .filter(([name]) => name.toLowerCase() !== SIGNATURE_PARAMETER)
    .sort(([nameA, valueA], [nameB, valueB]) => compare(nameA, nameB) || compare(valueA, valueB))
    .map(([name, value]) => `${name}=${value}`)
    .join('&');
}

/** `name:value\n` for each signed header in the order given, values trimmed and inner spaces collapsed. */
export function canonicalHeaders(headers: [name: string, value: string][]): string {
  return headers.map(([name, value]) => `${name}:${value.trim().replace(/\s+/g, ' ')}\n`).join('');
}

export interface CanonicalParts {
  method: string;
  path: string;
  query: string;
  headers: string;
  signedHeaders: string;
  payload: string;
}

export function canonicalRequest(parts: CanonicalParts): string {
  return [parts.method, parts.path, parts.query, parts.headers, parts.signedHeaders, parts.payload].join(
    '\n',
  );
}

/** The algorithm, the request's time, the credential scope and the hex SHA-256 of the canonical request. */
export function stringToSign(date: string, scope: string, request: string): string {
  return [ALGORITHM, date, scope, createHash('sha256').update(request).digest('hex')].join('\n');
}

function compare(a: string, b: string): number {
  if (a === b) return 0;
  return a < b ? -1 : 1;
}
