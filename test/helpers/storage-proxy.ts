// A proxy in front of the storage emulator, on a loopback port, that passes everything through unchanged (the Host
// header too, so V4 signatures still verify) but can spoil the answers to reads of an object's bytes (signed URLs,
// `alt=media`): flip a byte, serve an object shorter than it is, break the connection off once after some bytes, or
// answer with a redirect to another server.
import { createServer, request as httpRequest, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { Transform, type TransformCallback } from 'node:stream';

export interface Spoil {
  /** Inverts the bits of the body's byte at this offset (of the whole object, for a full read). */
  corruptByteAt?: number;
  /** Serves only the first bytes, announced as the whole: the object as if it were truncated. */
  truncateTo?: number;
  /** Cuts the connection after this many body bytes, once; later reads pass whole. */
  breakAfter?: number;
  /** Holds the body back for `ms` once this many bytes have passed, as a slow network's last packets. */
  pause?: { at: number; ms: number };
  /** Answers 302 with a Location on this origin (the same path and query) instead of reading the object. */
  redirectTo?: string;
}

export interface StorageProxy {
  url: string;
  /** The reads of objects' bytes seen: their Range header and the status answered. */
  reads: { range?: string; status: number }[];
  spoil(next: Spoil | undefined): void;
  close(): Promise<void>;
}

class Spoiler extends Transform {
  private offset = 0;

  constructor(private readonly spoil: Spoil) {
    super();
  }

  override _transform(chunk: Buffer, _encoding: BufferEncoding, callback: TransformCallback): void {
    const out = Buffer.from(chunk);
    const { corruptByteAt, truncateTo, pause } = this.spoil;
    if (
      corruptByteAt !== undefined &&
      corruptByteAt >= this.offset &&
      corruptByteAt < this.offset + out.length
    ) {
      out[corruptByteAt - this.offset] = ~(out[corruptByteAt - this.offset] as number) & 0xff;
    }
    if (truncateTo !== undefined && this.offset + out.length >= truncateTo) {
      this.push(out.subarray(0, Math.max(0, truncateTo - this.offset)));
      this.offset = truncateTo;
      callback();
      return;
    }
    if (pause !== undefined && pause.at > this.offset && pause.at < this.offset + out.length) {
      const split = pause.at - this.offset;
      this.push(out.subarray(0, split));
      this.offset += out.length;
      setTimeout(() => callback(null, out.subarray(split)), pause.ms);
      return;
    }
    this.offset += out.length;
    callback(null, out);
  }
}

/** Passes the first `limit` bytes, and once the client has them, cuts the connection as a broken network would. */
function breakOff(answer: IncomingMessage, res: ServerResponse, limit: number): void {
  let passed = 0;
  answer.on('data', (chunk: Buffer) => {
    if (passed >= limit) return;
    const part = chunk.subarray(0, limit - passed);
    passed += part.length;
    if (passed < limit) res.write(part);
    else {
      answer.destroy();
      res.write(part, () => res.socket?.destroy());
    }
  });
}

export async function startStorageProxy(origin: string): Promise<StorageProxy> {
  let spoil: Spoil | undefined;
  const reads: StorageProxy['reads'] = [];
  const server = createServer((req, res) => {
    const signedRead = req.method === 'GET' && /[?&](?:X-Goog-Signature=|alt=media)/.test(req.url ?? '');
    if (signedRead && spoil?.redirectTo) {
      reads.push({ ...(req.headers.range && { range: req.headers.range }), status: 302 });
      res.writeHead(302, { location: new URL(req.url ?? '/', spoil.redirectTo).href }).end();
      return;
    }
    const upstream = httpRequest(
      new URL(req.url ?? '/', origin),
      { method: req.method, headers: req.headers },
      (answer) => {
        const headers = { ...answer.headers };
        const active = signedRead && answer.statusCode === 200 ? spoil : undefined;
        if (signedRead)
          reads.push({
            ...(req.headers.range && { range: req.headers.range }),
            status: answer.statusCode ?? 0,
          });
        if (active?.truncateTo !== undefined) {
          headers['content-length'] = String(active.truncateTo);
          headers['x-goog-stored-content-length'] = String(active.truncateTo);
        }
        res.writeHead(answer.statusCode ?? 502, headers);
        if (!active) {
          answer.pipe(res);
          return;
        }
        if (active.breakAfter !== undefined) {
          spoil = undefined;
          breakOff(answer, res, active.breakAfter);
          return;
        }
        answer.pipe(new Spoiler(active)).pipe(res);
      },
    );
    upstream.on('error', () => res.destroy());
    req.pipe(upstream);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    reads,
    spoil: (next) => {
      spoil = next;
    },
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
