// The agent's own check of its route to the storage origin, for `doctor`: the host resolved as the uploads resolve
// it (getaddrinfo, the system's resolver), every address inside the ranges the config admits — the systemd unit's
// IPAddressAllow, where the kernel drops the rest — then a connection, with the TLS handshake an upload makes.
import { lookup } from 'node:dns/promises';
import { BlockList, isIP, type Socket, connect as tcpConnect } from 'node:net';
import { type TLSSocket, connect as tlsConnect } from 'node:tls';
import type { StorageRoute } from '../../core/protocol.js';

export interface RouteSettings {
  origin: string;
  allowedRanges: readonly string[];
}

/** A handshake that has not ended by then will not: the upload's own requests would time out the same way. */
const CONNECT_TIMEOUT_MS = 5000;

function rangesOf(ranges: readonly string[]): BlockList {
  const list = new BlockList();
  for (const range of ranges) {
    const [address = '', prefix = ''] = range.split('/');
    list.addSubnet(address, Number(prefix), isIP(address) === 6 ? 'ipv6' : 'ipv4');
  }
  return list;
}

/** Connects as an upload does (TLS for https, verified against the system's CAs and the host name); says how it went. */
function connectOnce(url: URL): Promise<StorageRoute['connection']> {
  const tls = url.protocol === 'https:';
  const port = Number(url.port || (tls ? 443 : 80));
  const host = url.hostname.replace(/^\[|\]$/g, '');
  return new Promise((resolve) => {
    const socket: Socket = tls
      ? tlsConnect({ host, port, servername: isIP(host) ? undefined : host })
      : tcpConnect({ host, port });
    const done = (connection: StorageRoute['connection']) => {
      socket.destroy();
      resolve(connection);
    };
    socket.setTimeout(CONNECT_TIMEOUT_MS, () =>
      done({
        kind: tls ? 'tls' : 'tcp',
        ok: false,
        detail: `no answer within ${CONNECT_TIMEOUT_MS / 1000} s`,
      }),
    );
    socket.once('error', (error) => done({ kind: tls ? 'tls' : 'tcp', ok: false, detail: error.message }));
    socket.once(tls ? 'secureConnect' : 'connect', () => {
      if (!tls)
        return done({ kind: 'tcp', ok: true, detail: `connected to ${socket.remoteAddress}:${port}` });
      const secure = socket as TLSSocket;
      const subject = secure.getPeerCertificate().subject?.CN ?? 'no common name';
      done({
        kind: 'tls',
        ok: true,
        detail: `${secure.getProtocol()} handshake with ${socket.remoteAddress}:${port}, certificate ${subject} verified`,
      });
    });
  });
}

export async function checkStorageRoute(settings: RouteSettings): Promise<StorageRoute> {
  const url = new URL(settings.origin);
  const host = url.hostname.replace(/^\[|\]$/g, '');
  const base = { origin: url.origin, host, allowedRanges: [...settings.allowedRanges] };
  let resolved: { address: string; family: number }[];
  try {
    resolved = await lookup(host, { all: true });
  } catch (error) {
    return { ...base, addresses: [], resolveError: (error as Error).message, connection: null };
  }
  const ranges = rangesOf(settings.allowedRanges);
  const addresses = resolved.map(({ address, family }) => ({
    address,
    allowed: ranges.check(address, family === 6 ? 'ipv6' : 'ipv4'),
  }));
  // Outside the ranges the kernel drops the packets: a connection would only wait out its time-out.
  const connection = addresses.every((entry) => entry.allowed) ? await connectOnce(url) : null;
  return { ...base, addresses, connection };
}
