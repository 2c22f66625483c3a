import type { IncomingMessage } from 'node:http';
import { Readable } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { readBody } from '../../../../agent/http/read-body.js';

function incoming(chunks: string[], headers: Record<string, string> = {}): IncomingMessage {
  return Object.assign(Readable.from(chunks.map((chunk) => Buffer.from(chunk))), {
    headers,
  }) as unknown as IncomingMessage;
}

describe('readBody', () => {
  it('reads a body within the limit', async () => {
    expect((await readBody(incoming(['ab', 'cd']), 4)).toString()).toBe('abcd');
  });

  it('refuses a declared length over the limit before reading', async () => {
    await expect(readBody(incoming([], { 'content-length': '5' }), 4)).rejects.toMatchObject({
      code: 'BODY_TOO_LARGE',
    });
  });

  it('refuses a chunked body once it passes the limit', async () => {
    await expect(readBody(incoming(['abc', 'de']), 4)).rejects.toMatchObject({ code: 'BODY_TOO_LARGE' });
  });
});
