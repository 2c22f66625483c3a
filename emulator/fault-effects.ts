// What an injected fault does to one request: delay it, fail it, cut its body, stall it or lose its answer.
import type { IncomingMessage } from 'node:http';
import type { Socket } from 'node:net';
import { Readable } from 'node:stream';
import { setTimeout as sleep } from 'node:timers/promises';
import type { FaultSpec } from './faults.js';
import { drain } from './http-io.js';
import { ApiError } from './json-errors.js';

/** The body the handler should read, or `stalled` when the request must never be answered. */
export type FaultOutcome = Readable | 'stalled';

export async function applyFault(fault: FaultSpec | undefined, req: IncomingMessage): Promise<FaultOutcome> {
  if (fault?.delayMs) await sleep(fault.delayMs);
  if (fault?.stall) {
    await stall(req);
    return 'stalled';
  }
  if (fault?.status) {
    await drain(req);
    throw new ApiError(fault.status, `Injected fault: ${fault.status}`);
  }
  if (fault?.dropResponse) loseAnswer(req.socket);
  return fault?.dropAfterBytes === undefined ? req : Readable.from(cutOff(req, fault.dropAfterBytes));
}

/**
 * Stops reading the request and holds its connection until the client gives up or the emulator closes, as a
 * server that hangs does: nothing of the body is kept and nothing is answered.
 */
async function stall(req: IncomingMessage): Promise<void> {
  req.pause();
  if (req.socket.destroyed) return;
  await new Promise<void>((done) => req.socket.once('close', () => done()));
}

/**
 * The request is served as usual, but the first byte of its answer destroys the connection instead, so the
 * client never learns the outcome: a lost final response. The socket is the one place every answer passes,
 * whether it is JSON, empty or a streamed download.
 */
function loseAnswer(socket: Socket): void {
  const destroy = (): boolean => {
    socket.destroy();
    return false;
  };
  socket.write = destroy as Socket['write'];
  socket.end = (() => {
    socket.destroy();
    return socket;
  }) as Socket['end'];
}

/** Passes on `limit` bytes, then destroys the socket as a broken network would. */
async function* cutOff(req: IncomingMessage, limit: number): AsyncGenerator<Buffer> {
  let passed = 0;
  for await (const chunk of req) {
    const buffer = chunk as Buffer;
    if (passed + buffer.length >= limit) {
      yield buffer.subarray(0, limit - passed);
      req.socket.destroy();
      throw new Error('Connection dropped by an injected fault.');
    }
    passed += buffer.length;
    yield buffer;
  }
}
