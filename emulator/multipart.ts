// Splits a multipart/related upload body into its JSON metadata part and its media part.
import { badRequest } from './json-errors.js';

export interface MultipartUpload {
  metadata: Record<string, unknown>;
  media: Buffer;
  /** The Content-Type of the media part, used when the metadata names none. */
  mediaType?: string;
}

export function parseMultipartRelated(contentType: string | undefined, body: Buffer): MultipartUpload {
  // Python clients (gcloud) quote the boundary with single quotes.
  const boundary = /boundary=(?:"([^"]+)"|'([^']+)'|([^;\s]+))/i.exec(contentType ?? '');
  const marker = boundary?.[1] ?? boundary?.[2] ?? boundary?.[3];
  if (!marker) throw badRequest('Multipart upload without a boundary in its Content-Type.');
  const delimiter = Buffer.from(`--${marker}`);
  const parts: Buffer[] = [];
  let at = body.indexOf(delimiter);
  while (at >= 0) {
    const start = at + delimiter.length;
    // `--boundary--` closes the body.
    if (body.subarray(start, start + 2).toString() === '--') break;
    const next = body.indexOf(delimiter, start);
    if (next < 0) break;
    // The line break before each delimiter belongs to the delimiter, not to the part.
    parts.push(body.subarray(start + lineBreakAt(body, start), next - lineBreakBefore(body, next)));
    at = next;
  }
  const [metadataPart, mediaPart] = parts.map(splitPart);
  if (!metadataPart || !mediaPart || parts.length !== 2) {
    throw badRequest('Multipart upload must have exactly a metadata part and a media part.');
  }
  let metadata: unknown;
  try {
    metadata = JSON.parse(metadataPart.content.toString('utf8') || '{}');
  } catch {
    throw badRequest('The metadata part of the multipart upload is not valid JSON.');
  }
  if (typeof metadata !== 'object' || metadata === null)
    throw badRequest('Multipart metadata must be an object.');
  return {
    metadata: metadata as Record<string, unknown>,
    media: mediaPart.content,
    mediaType: mediaPart.headers['content-type'],
  };
}

/** Length of the CRLF or bare LF starting at `at` (clients use either), else 0. */
function lineBreakAt(body: Buffer, at: number): number {
  if (body[at] === 0x0d && body[at + 1] === 0x0a) return 2;
  return body[at] === 0x0a ? 1 : 0;
}

function lineBreakBefore(body: Buffer, at: number): number {
  if (body[at - 1] !== 0x0a) return 0;
  return body[at - 2] === 0x0d ? 2 : 1;
}

function splitPart(part: Buffer): { headers: Record<string, string>; content: Buffer } {
  const headers: Record<string, string> = {};
  let at = 0;
  // Header lines run up to the first empty line; a part without headers starts with it.
  while (at < part.length) {
    const end = part.indexOf(0x0a, at);
    if (end < 0) return { headers: {}, content: part };
    const line = part.subarray(at, end).toString('utf8').replace(/\r$/, '');
    at = end + 1;
    if (line === '') return { headers, content: part.subarray(at) };
    const colon = line.indexOf(':');
    if (colon > 0) headers[line.slice(0, colon).trim().toLowerCase()] = line.slice(colon + 1).trim();
  }
  return { headers: {}, content: part };
}
