// Cancelling an upload session against real HTTP servers on loopback: the DELETE carries Content-Length: 0, its
// status comes back whatever it is, a redirect is never followed, and a service that cannot be reached rejects
// without the session URI in its message.
import { createServer, type IncomingHttpHeaders, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { cancelUploadSession, SESSION_CANCELLED } from '../../../core/upload-session.js';

interface Seen {
  method?: string;
  url?: string;
  headers: IncomingHttpHeaders;
}

const servers: Server[] = [];
afterEach(async () => {
  await Promise.all(servers.splice(0).map((server) => new Promise((resolve) => server.close(resolve))));
});

/** A server answering every request with `status` (and `headers`), recording what it was sent. */
async function serve(status: number, headers: Record<string, string> = {}, answer = true) {
  const seen: Seen[] = [];
  const server = createServer((req, res) => {
    seen.push({ method: req.method, url: req.url, headers: req.headers });
    if (answer) res.writeHead(status, headers).end('{"error":"x"}');
  });
  servers.push(server);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  return { seen, base, uri: `${base}/upload/storage/v1/b/bucket/o?uploadType=resumable&upload_id=SECRET-ID` };
}

describe('cancelUploadSession', () => {
  it('sends DELETE with Content-Length: 0 and resolves with 499', async () => {
    const session = await serve(SESSION_CANCELLED);
    expect(await cancelUploadSession(session.uri)).toBe(499);
    expect(session.seen).toHaveLength(1);
    expect(session.seen[0]).toMatchObject({
      method: 'DELETE',
      url: '/upload/storage/v1/b/bucket/o?uploadType=resumable&upload_id=SECRET-ID',
    });
    expect(session.seen[0]?.headers['content-length']).toBe('0');
  });

  it('resolves with any other status as it came, for the caller to report', async () => {
    expect(await cancelUploadSession((await serve(404)).uri)).toBe(404);
    expect(await cancelUploadSession((await serve(200)).uri)).toBe(200);
  });

  it('never follows a redirect: the capability goes nowhere else', async () => {
    const elsewhere = await serve(SESSION_CANCELLED);
    const session = await serve(307, { location: `${elsewhere.base}/steal?upload_id=SECRET-ID` });
    expect(await cancelUploadSession(session.uri)).toBe(307);
    expect(elsewhere.seen).toEqual([]);
  });

  it('rejects when nothing answers, without the session URI in its message', async () => {
    const silent = await serve(0, {}, false);
    await expect(cancelUploadSession(silent.uri, 200)).rejects.toThrow(
      /^no answer to the cancel within 0.2 s$/,
    );
    const closed = await serve(499);
    await new Promise((resolve) => servers.pop()?.close(resolve));
    const error = await cancelUploadSession(closed.uri).catch((thrown: Error) => thrown);
    expect(error).toBeInstanceOf(Error);
    expect((error as Error).message).toMatch(/ECONNREFUSED/);
    expect((error as Error).message).not.toContain('SECRET-ID');
  });
});
