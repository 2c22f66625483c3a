// Someone on the network path between the function and an agent, on a loopback port: it sees every request
// whole (headers, body), and answers with whatever its intercept returns — a faithful forward to any origin,
// a replay, or a forgery.
import { createServer, request as httpRequest, type IncomingHttpHeaders } from 'node:http';
import type { AddressInfo } from 'node:net';

/** A request or an answer as the man in the middle holds it: header names lower-case. */
export interface Exchange {
  method: string;
  /** Path and query, as sent. */
  path: string;
  headers: Record<string, string>;
  body: Buffer;
}

export interface Answer {
  status: number;
  headers: Record<string, string>;
  body: Buffer;
}

export type Intercept = (request: Exchange) => Promise<Answer>;

export interface Mitm {
  url: string;
  /** Every request seen, in order. */
  seen: Exchange[];
  /** Changes what the next requests get. */
  intercept(handler: Intercept): void;
  close(): Promise<void>;
}

/** The headers that describe one connection, not the message. */
const HOP_BY_HOP = new Set(['connection', 'keep-alive', 'transfer-encoding', 'content-length']);

function flatten(headers: IncomingHttpHeaders): Record<string, string> {
  const flat: Record<string, string> = {};
  for (const [name, value] of Object.entries(headers)) {
    if (value !== undefined && !HOP_BY_HOP.has(name))
      flat[name] = Array.isArray(value) ? value.join(', ') : value;
  }
  return flat;
}

/** Sends `request` unchanged (its Host header too) to `origin`, and returns the answer unchanged. */
export function forward(request: Exchange, origin: string): Promise<Answer> {
  return new Promise((resolve, reject) => {
    const req = httpRequest(
      new URL(request.path, origin),
      { method: request.method, headers: { ...request.headers, 'content-length': request.body.length } },
      (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (chunk: Buffer) => chunks.push(chunk));
        res.on('end', () =>
          resolve({
            status: res.statusCode ?? 0,
            headers: flatten(res.headers),
            body: Buffer.concat(chunks),
          }),
        );
        res.on('error', reject);
      },
    );
    req.on('error', reject);
    req.end(request.body);
  });
}

export async function startMitm(initial: Intercept): Promise<Mitm> {
  let handler = initial;
  const seen: Exchange[] = [];
  const server = createServer(async (req, res) => {
    const chunks: Buffer[] = [];
    for await (const chunk of req) chunks.push(chunk as Buffer);
    const exchange = {
      method: req.method ?? 'GET',
      path: req.url ?? '/',
      headers: flatten(req.headers),
      body: Buffer.concat(chunks),
    };
    seen.push(exchange);
    try {
      const answer = await handler(exchange);
      res.writeHead(answer.status, { ...answer.headers, 'content-length': answer.body.length });
      res.end(answer.body);
    } catch {
      res.destroy();
    }
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    seen,
    intercept: (next) => {
      handler = next;
    },
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
