// Open connections capped per client address as well as in total: whoever holds connections open from one address
// (half-open, never sending a request) takes at most its share, and the function, calling from another address,
// still gets in. A connection past either cap is closed at once and counted like an unauthenticated refusal.
import type { Server } from 'node:net';
import type { ErrorCode } from '../../core/errors.js';

export interface ConnectionCaps {
  total: number;
  perAddress: number;
}

export function capConnections(
  server: Server,
  caps: ConnectionCaps,
  refuse: (reason: ErrorCode, remoteAddress: string | undefined) => void,
): void {
  // Node closes connections past maxConnections before they are handed on, and says so with `drop`.
  server.maxConnections = caps.total;
  server.on('drop', (dropped?: { remoteAddress?: string }) =>
    refuse('CONNECTION_LIMIT', dropped?.remoteAddress),
  );
  const open = new Map<string, number>();
  server.on('connection', (socket) => {
    const address = socket.remoteAddress ?? '';
    const count = (open.get(address) ?? 0) + 1;
    if (count > caps.perAddress) {
      refuse('ADDRESS_CONNECTION_LIMIT', socket.remoteAddress);
      socket.destroy();
      return;
    }
    open.set(address, count);
    socket.once('close', () => {
      const left = (open.get(address) ?? 1) - 1;
      if (left > 0) open.set(address, left);
      else open.delete(address);
    });
  });
}
