// The HTTP server: routes JSON API paths to handlers, applies injected faults, answers errors in API shape.
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { Handler, Services } from './context.js';
import { applyFault } from './fault-effects.js';
import { sendJson } from './http-io.js';
import { ApiError } from './json-errors.js';
import { addFault, clearFaults, listFaults, runLifecycleNow } from './routes/admin.js';
import { deleteBucket, getBucket, insertBucket, listBuckets, patchBucket } from './routes/buckets.js';
import { downloadObject } from './routes/download.js';
import { deleteObject, getObject, listObjects, patchObject } from './routes/objects.js';
import { copyObject } from './routes/rewrite.js';
import { cancelSession, putToSession } from './routes/sessions.js';
import { signedDownload } from './routes/signed-download.js';
import { startUpload } from './routes/uploads.js';
import { isSignedUrl } from './signed-url/verify.js';
import { XmlError } from './xml-errors.js';

const BUCKET = '/storage/v1/b/([^/]+)';
const OBJECT = `${BUCKET}/o/(.+)`;
// gcloud sends streaming uploads under /resumable/upload.
const UPLOADS = '(?:/resumable)?/upload/storage/v1/b/([^/]+)/o';

const ROUTES: [method: string, path: RegExp, handler: Handler][] = [
  ['POST', /^\/_emulator\/faults$/, addFault],
  ['GET', /^\/_emulator\/faults$/, listFaults],
  ['DELETE', /^\/_emulator\/faults$/, clearFaults],
  ['POST', /^\/_emulator\/lifecycle$/, runLifecycleNow],
  ['POST', /^\/storage\/v1\/b$/, insertBucket],
  ['GET', /^\/storage\/v1\/b$/, listBuckets],
  ['GET', new RegExp(`^${BUCKET}$`), getBucket],
  ['PATCH', new RegExp(`^${BUCKET}$`), patchBucket],
  ['DELETE', new RegExp(`^${BUCKET}$`), deleteBucket],
  ['GET', new RegExp(`^${BUCKET}/o$`), listObjects],
  ['POST', new RegExp(`^${OBJECT}/(?:copyTo|rewriteTo)/b/([^/]+)/o/(.+)$`), copyObject],
  ['GET', new RegExp(`^${OBJECT}$`), getObject],
  ['PATCH', new RegExp(`^${OBJECT}$`), patchObject],
  ['DELETE', new RegExp(`^${OBJECT}$`), deleteObject],
  ['GET', new RegExp(`^/download${OBJECT}$`), downloadObject],
  ['POST', new RegExp(`^${UPLOADS}$`), startUpload],
  ['PUT', new RegExp(`^${UPLOADS}$`), putToSession],
  ['DELETE', new RegExp(`^${UPLOADS}$`), cancelSession],
];

export function createEmulatorServer(services: Services): Server {
  const server = createServer((req, res) => void handle(services, req, res));
  // Large uploads stream for as long as they need; the default five-minute limit would cut them off.
  server.requestTimeout = 0;
  // Cloud Storage's front ends keep an idle client connection for 610 s (Google's load-balancing documentation),
  // and clients count on reusing it; Node's default of 5 s closed it under them, and a request written onto a
  // socket closing at that moment failed with ECONNRESET (a delete, which the client does not retry).
  server.keepAliveTimeout = 610_000;
  return server;
}

async function handle(services: Services, req: IncomingMessage, res: ServerResponse): Promise<void> {
  const method = req.method ?? 'GET';
  const url = new URL(req.url ?? '/', 'http://emulator');
  try {
    const fault = url.pathname.startsWith('/_emulator/') ? undefined : services.faults.take(method, url);
    const body = await applyFault(fault, req);
    if (body === 'stalled') return;
    const [handler, params] = isSignedUrl(url)
      ? signedRoute(method, url.pathname)
      : route(method, url.pathname);
    const baseUrl = `http://${req.headers.host ?? 'localhost'}`;
    await handler({ ...services, req, res, url, body, baseUrl, params });
  } catch (error) {
    sendError(res, error);
  }
}

/** Signed URLs address objects the XML API's way, `/<bucket>/<object>`; only reads are served. */
function signedRoute(method: string, path: string): [Handler, string[]] {
  const found = /^\/([^/]+)\/(.+)$/.exec(path);
  if (!found || (method !== 'GET' && method !== 'HEAD')) {
    throw new XmlError(
      405,
      'MethodNotAllowed',
      `Signed URLs serve GET and HEAD of an object, not ${method} ${path}.`,
    );
  }
  return [signedDownload, found.slice(1).map((part) => decodeURIComponent(part))];
}

function route(method: string, path: string): [Handler, string[]] {
  let pathMatched = false;
  for (const [routeMethod, pattern, handler] of ROUTES) {
    const found = pattern.exec(path);
    if (!found) continue;
    pathMatched = true;
    if (routeMethod === method) return [handler, found.slice(1).map((part) => decodeURIComponent(part))];
  }
  throw pathMatched
    ? new ApiError(405, `Method ${method} is not allowed on ${path}.`)
    : new ApiError(404, `Not Found: ${path}`);
}

function sendError(res: ServerResponse, error: unknown): void {
  if (res.headersSent || res.destroyed) {
    res.destroy();
    return;
  }
  if (error instanceof ApiError) {
    sendJson(res, error.status, error);
    return;
  }
  if (error instanceof XmlError) {
    const body = error.toXml();
    res.writeHead(error.status, {
      'Content-Type': 'application/xml; charset=UTF-8',
      'Content-Length': Buffer.byteLength(body),
    });
    res.end(body);
    return;
  }
  if (res.socket?.destroyed) return;
  console.error('emulator: unexpected error', error);
  sendJson(res, 500, new ApiError(500, error instanceof Error ? error.message : String(error)));
}
