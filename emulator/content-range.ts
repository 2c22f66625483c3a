// Parses the Content-Range header of a resumable upload request into a status query or a chunk.
import { badRequest } from './json-errors.js';

export type ResumableRequest =
  /** `bytes *\/total` or `bytes *\/*`: asks what was persisted, finalizing if `total` bytes are there. */
  | { kind: 'query'; total?: number }
  /** Bytes from `start`; `end` is absent when the request body runs to the end of the object. */
  | { kind: 'chunk'; start: number; end?: number; total?: number };

const PATTERN = /^bytes (?:\*|(\d+)-(\d+|\*|-1))\/(\d+|\*)$/;

/** A missing header means the body is the whole object, as in a single-request resumable upload. */
export function parseContentRange(header: string | undefined): ResumableRequest {
  if (header === undefined) return { kind: 'chunk', start: 0 };
  const found = PATTERN.exec(header.trim());
  if (!found) throw badRequest(`Failed to parse Content-Range header: ${header}`);
  const [, start, end, total] = found;
  const totalSize = total === '*' || total === undefined ? undefined : Number(total);
  if (start === undefined) return { kind: 'query', total: totalSize };
  // `bytes 0--1/0` is how clients announce an empty final chunk.
  const endByte = end === '*' || end === undefined ? undefined : Number(end);
  if (endByte !== undefined && endByte < Number(start) - 1)
    throw badRequest(`Invalid Content-Range: ${header}`);
  if (totalSize !== undefined && endByte !== undefined && endByte >= totalSize) {
    throw badRequest(`Content-Range end is past the object's size: ${header}`);
  }
  return { kind: 'chunk', start: Number(start), end: endByte, total: totalSize };
}
