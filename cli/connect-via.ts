// The deployed functions reached through a tunnel: with internal ingress they answer only traffic from inside the
// VPC, so an admin's machine forwards a local port through a VM of the network (gcloud compute ssh -L, over IAP)
// and every call goes to that local address, while TLS and the Host header still name the function — curl's
// --connect-to. Cloud Run picks the service by that name, so one tunnel serves every function.
import { Agent, type buildConnector, buildConnector as connector, fetch as undiciFetch } from 'undici';
import { CliError, EXIT } from './exit-codes.js';

export const VIA_ENV = 'DB_BACKUP_VIA';

export interface Via {
  host: string;
  port: number;
}

/** `127.0.0.1:8443`, `localhost:8443`, `[::1]:8443`: the local end of the tunnel. */
export function parseVia(value: string): Via {
  const match = /^(?:\[([0-9a-fA-F:.]+)\]|([A-Za-z0-9.-]+)):(\d{1,5})$/.exec(value.trim());
  const port = Number(match?.[3]);
  if (!match || port < 1 || port > 65535)
    throw new CliError(
      EXIT.usage,
      `--via ${value}: give the tunnel's local end as HOST:PORT, e.g. 127.0.0.1:8443`,
    );
  return { host: match[1] ?? match[2] ?? '', port };
}

/** A fetch whose every connection goes to `via`; `tls` adds trust (a test's own CA), never removes any. */
export function fetchVia(via: Via, tls: buildConnector.BuildOptions = {}): typeof fetch {
  const connect = connector(tls);
  // The origin's host stays as it is: undici takes the TLS name and the Host header from it.
  const dispatcher = new Agent({
    connect: (options, callback) =>
      connect({ ...options, hostname: via.host, port: String(via.port) }, callback),
  });
  return ((input: Parameters<typeof fetch>[0], init?: RequestInit) =>
    undiciFetch(input as string, { ...(init as object), dispatcher })) as unknown as typeof fetch;
}
