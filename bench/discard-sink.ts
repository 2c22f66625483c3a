// A resumable-upload endpoint that speaks enough of the JSON API for the agent and `gcloud storage cp` and throws
// the bytes away, so a benchmark measures the uploader rather than the storage behind it.

import { createHash, type Hash, randomUUID } from 'node:crypto';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

export interface DiscardSink {
  /** The endpoint to give a client, e.g. `http://127.0.0.1:40123` (the JSON API lives under it). */
  url: string;
  /** Opens a session as the function does; the URI is what the agent is handed. */
  openSession(bucket: string, name: string): string;
  /** Bytes received into sessions since the sink started. */
  readonly receivedBytes: number;
  close(): Promise<void>;
}

interface Session {
  bucket: string;
  name: string;
  received: number;
  /**
   * MD5 of what was received, for sessions a client opened itself: `gcloud storage cp` claims no hash and deletes
   * the object unless the answer carries the MD5 it computed, so for it the sink hashes as the service would. Sessions
   * handed out by `openSession` (the agent's) are not hashed: their client claims its hashes in X-Goog-Hash.
   */
  md5?: Hash;
  /** The final answer, given again to a client that lost it and asks once more. */
  object?: Record<string, unknown>;
  cancelled?: boolean;
}

// gcloud sends streaming uploads under /resumable/upload.
const UPLOAD_PATH = /^(?:\/resumable)?\/upload\/storage\/v1\/b\/([^/]+)\/o$/;
const LIST_PATH = /^\/storage\/v1\/b\/[^/]+\/o$/;
const OBJECT_PATH = /^\/storage\/v1\/b\/[^/]+\/o\/.+$/;
const RANGE = /^bytes (?:\*|(\d+)-(\d+))\/(\d+|\*)$/;

function sendJson(res: ServerResponse, status: number, body: unknown): void {
  const text = JSON.stringify(body);
  res.writeHead(status, { 'Content-Type': 'application/json', 'Content-Length': Buffer.byteLength(text) });
  res.end(text);
}

function sendError(res: ServerResponse, status: number, message: string): void {
  sendJson(res, status, { error: { code: status, message, errors: [{ message, reason: 'discardSink' }] } });
}

/** Reads a small body (session metadata) whole. */
async function readText(req: IncomingMessage): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const chunk of req) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks).toString('utf8');
}

/** Counts a body's bytes (hashing them when it must) and keeps none of them. */
function countBody(req: IncomingMessage, md5: Hash | undefined): Promise<number> {
  return new Promise((resolve, reject) => {
    let bytes = 0;
    req.on('data', (chunk: Buffer) => {
      bytes += chunk.length;
      md5?.update(chunk);
    });
    req.once('end', () => resolve(bytes));
    req.once('error', reject);
  });
}

/** `X-Goog-Hash: crc32c=…,md5=…` as a record. */
function claimedHashes(header: string | string[] | undefined): Record<string, string> {
  const parts = (Array.isArray(header) ? header.join(',') : (header ?? '')).split(',');
  return Object.fromEntries(
    parts.flatMap((part) => {
      const at = part.indexOf('=');
      return at > 0 ? [[part.slice(0, at).trim(), part.slice(at + 1).trim()]] : [];
    }),
  );
}

/**
 * The object the service would answer with. The hashes are those the client claimed in X-Goog-Hash: the real
 * service would have refused a mismatch, and checking them here would cost the hashing this sink exists to avoid.
 */
function objectResource(session: Session, claimed: Record<string, string>): Record<string, unknown> {
  const now = new Date().toISOString();
  return {
    kind: 'storage#object',
    id: `${session.bucket}/${session.name}/1`,
    name: session.name,
    bucket: session.bucket,
    generation: '1',
    metageneration: '1',
    contentType: 'application/octet-stream',
    storageClass: 'STANDARD',
    size: String(session.received),
    crc32c: claimed.crc32c,
    md5Hash: claimed.md5 ?? session.md5?.digest('base64'),
    etag: 'CAE=',
    timeCreated: now,
    updated: now,
  };
}

/** The session URI for a new upload id, on the path the client used (gcloud's differs from the others'). */
function sessionUri(url: URL, name: string, id: string): string {
  const location = new URL(url.href);
  location.searchParams.set('uploadType', 'resumable');
  location.searchParams.set('name', name);
  location.searchParams.set('upload_id', id);
  return location.href;
}

export async function startDiscardSink(): Promise<DiscardSink> {
  const sessions = new Map<string, Session>();
  let receivedBytes = 0;
  const open = (bucket: string, name: string, md5?: Hash): string => {
    const id = randomUUID().replaceAll('-', '');
    sessions.set(id, { bucket, name, received: 0, md5 });
    return id;
  };

  /** A chunk or a status query; every chunk must start where the last one ended, as a sequential client sends them. */
  const putToSession = async (req: IncomingMessage, res: ServerResponse, session: Session) => {
    if (session.object) {
      req.resume();
      return sendJson(res, 200, session.object);
    }
    const header = req.headers['content-range'];
    const range = header === undefined ? undefined : RANGE.exec(header);
    if (header !== undefined && !range) {
      req.resume();
      return sendError(res, 400, `Bad Content-Range: ${header}`);
    }
    const start = range?.[1] === undefined ? undefined : Number(range[1]);
    if (start !== undefined && start !== session.received) {
      req.resume();
      return sendError(
        res,
        400,
        `The chunk starts at ${start}, not at the ${session.received} bytes received`,
      );
    }
    const bytes = await countBody(req, session.md5);
    session.received += bytes;
    receivedBytes += bytes;
    const total = range?.[3] === undefined || range[3] === '*' ? undefined : Number(range[3]);
    if (header === undefined || total === session.received) {
      session.object = objectResource(session, claimedHashes(req.headers['x-goog-hash']));
      return sendJson(res, 200, session.object);
    }
    const persisted = session.received > 0 ? { Range: `bytes=0-${session.received - 1}` } : {};
    res.writeHead(308, { ...persisted, 'Content-Length': 0 });
    res.end();
  };

  const handle = async (req: IncomingMessage, res: ServerResponse) => {
    const url = new URL(req.url ?? '/', `http://${req.headers.host}`);
    const bucket = UPLOAD_PATH.exec(url.pathname)?.[1];
    const id = url.searchParams.get('upload_id');
    if (bucket === undefined) {
      req.resume();
      // gcloud looks for the destination before uploading: nothing is ever kept, so nothing is there.
      if (req.method === 'GET' && LIST_PATH.test(url.pathname))
        return sendJson(res, 200, { kind: 'storage#objects' });
      if (req.method === 'GET' && OBJECT_PATH.test(url.pathname))
        return sendError(res, 404, 'No such object.');
      return sendError(
        res,
        404,
        `The discard sink serves only resumable uploads, not ${req.method} ${url.pathname}`,
      );
    }
    if (req.method === 'POST' && url.searchParams.get('uploadType') === 'resumable' && !id) {
      const body = await readText(req);
      const metadata = body ? (JSON.parse(body) as { name?: unknown }) : {};
      const name = url.searchParams.get('name') ?? metadata.name;
      if (typeof name !== 'string' || !name) return sendError(res, 400, 'Required parameter: name');
      const opened = open(decodeURIComponent(bucket), name, createHash('md5'));
      res.writeHead(200, { Location: sessionUri(url, name, opened), 'Content-Length': 0 });
      return res.end();
    }
    const session = id ? sessions.get(id) : undefined;
    if (!session) {
      req.resume();
      return sendError(res, 404, 'No such upload session.');
    }
    if (req.method === 'DELETE') session.cancelled = true;
    if (session.cancelled) {
      req.resume();
      return sendError(res, 499, 'The upload session was cancelled.');
    }
    if (req.method === 'PUT') return putToSession(req, res, session);
    req.resume();
    return sendError(res, 405, `${req.method} is not an upload request`);
  };

  const server = createServer((req, res) => {
    handle(req, res).catch((error: Error) => {
      if (!res.headersSent) sendError(res, 500, error.message);
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  return {
    url,
    openSession(bucket, name) {
      const path = new URL(`${url}/upload/storage/v1/b/${encodeURIComponent(bucket)}/o`);
      return sessionUri(path, name, open(bucket, name));
    },
    get receivedBytes() {
      return receivedBytes;
    },
    close: () =>
      new Promise<void>((resolve, reject) => {
        server.closeAllConnections();
        server.close((error) => (error ? reject(error) : resolve()));
      }),
  };
}
