// Reads a request body up to a limit; past it, BODY_TOO_LARGE before the rest is read or anything is parsed.
import type { IncomingMessage } from 'node:http';
import { BackupError } from '../../core/errors.js';

export async function readBody(req: IncomingMessage, limit: number): Promise<Buffer> {
  const tooLarge = () => new BackupError('BODY_TOO_LARGE', `the body exceeds ${limit} bytes`);
  const declared = Number(req.headers['content-length']);
  if (Number.isFinite(declared) && declared > limit) throw tooLarge();
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of req) {
    size += (chunk as Buffer).length;
    if (size > limit) throw tooLarge();
    chunks.push(chunk as Buffer);
  }
  return Buffer.concat(chunks);
}
