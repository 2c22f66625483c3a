// Reading request bodies and query flags, and writing JSON answers.
import type { ServerResponse } from 'node:http';
import type { Readable } from 'node:stream';
import { badRequest } from './json-errors.js';

/** Bodies read whole (JSON and multipart) are capped so a wrong client cannot exhaust memory. */
const MAX_BUFFERED_BODY = 512 * 1024 * 1024;

export async function readBuffer(body: Readable): Promise<Buffer> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of body) {
    size += (chunk as Buffer).length;
    if (size > MAX_BUFFERED_BODY)
      throw badRequest('Request body too large for this upload type; use a resumable upload.');
    chunks.push(chunk as Buffer);
  }
  return Buffer.concat(chunks);
}

/** Parses a JSON object body; an empty body is an empty object, as the service treats it. */
export async function readJsonObject(body: Readable): Promise<Record<string, unknown>> {
  const text = (await readBuffer(body)).toString('utf8').trim();
  if (!text) return {};
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch {
    throw badRequest('Parse Error: the request body is not valid JSON.');
  }
  if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) {
    throw badRequest('The request body must be a JSON object.');
  }
  return parsed as Record<string, unknown>;
}

/** Consumes a body that will not be used, so the client finishes sending before it reads the answer. */
export async function drain(body: Readable): Promise<void> {
  for await (const _ of body) {
    // discarded
  }
}

export function sendJson(
  res: ServerResponse,
  status: number,
  body: unknown,
  headers: Record<string, string> = {},
): void {
  const text = JSON.stringify(body);
  res.writeHead(status, {
    'Content-Type': 'application/json; charset=UTF-8',
    'Content-Length': Buffer.byteLength(text),
    ...headers,
  });
  res.end(text);
}

export function sendEmpty(res: ServerResponse, status: number, headers: Record<string, string> = {}): void {
  res.writeHead(status, { 'Content-Length': '0', ...headers });
  res.end();
}

/**
 * A boolean query parameter, absent meaning false. The service takes `true` and `false` in any case: gcloud
 * sends Python's `True` (`versions=True` for `gcloud storage ls -a`), the Node client `true`.
 */
export function booleanParam(query: URLSearchParams, name: string): boolean {
  const value = query.get(name);
  if (value === null || /^false$/i.test(value)) return false;
  if (/^true$/i.test(value)) return true;
  throw badRequest(`Invalid boolean value for ${name}: ${JSON.stringify(value)}.`);
}
