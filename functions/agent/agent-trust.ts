// What the function trusts of each agent (BACKUP_AGENTS): the public key its answers must be signed with, and,
// over https, the private CA that issued its certificate or the one certificate it must present.
import type { TLSSocket } from 'node:tls';
import { Agent, buildConnector, fetch as undiciFetch } from 'undici';
import { BackupError } from '../../core/errors.js';
import { type AnswerKey, keyThumbprint } from '../../core/signing/index.js';
import type { AgentEndpoint } from '../config/schema.js';

export interface AgentTrust {
  answerKey: AnswerKey;
  /**
   * The fetch that reaches this agent when its TLS is not judged by the public CAs alone: undici's own fetch
   * with its own dispatcher, rather than Node's built-in fetch (whose bundled undici differs between Node
   * versions) given a dispatcher from another undici.
   */
  fetch?: typeof fetch;
}

/** The certificate's SHA-256 fingerprint as BACKUP_AGENTS writes it: 64 lower-case hex digits. */
function fingerprintOf(socket: TLSSocket): string {
  return (socket.getPeerCertificate().fingerprint256 ?? '').replaceAll(':', '').toLowerCase();
}

/**
 * A connector that trusts `ca` (instead of the public CAs) and, given `pin`, accepts only the certificate with
 * that fingerprint. A pin alone replaces the CA check, so a self-signed certificate can be pinned; the check
 * runs after the handshake and before the request is written. No TLS session is resumed, so every connection
 * shows its certificate.
 */
function tlsConnector(ca: string | undefined, pin: string | undefined): buildConnector.connector {
  const connect = buildConnector({
    ...(ca && { ca }),
    ...(pin && !ca && { rejectUnauthorized: false }),
    maxCachedSessions: 0,
  });
  if (!pin) return connect;
  return (options, callback) =>
    connect(options, (error, socket) => {
      if (error || !socket) return callback(error ?? new Error('no socket'), null);
      const presented = fingerprintOf(socket as TLSSocket);
      if (presented === pin) return callback(null, socket);
      socket.destroy();
      callback(new Error(`the agent presented certificate ${presented}, not the pinned ${pin}`), null);
    });
}

function agentTrust(endpoint: AgentEndpoint): AgentTrust {
  const answerKey = { publicKey: endpoint.publicKey, keyId: keyThumbprint(endpoint.publicKey) };
  if (!endpoint.tlsCaCert && !endpoint.tlsCertSha256) return { answerKey };
  const dispatcher = new Agent({ connect: tlsConnector(endpoint.tlsCaCert, endpoint.tlsCertSha256) });
  const agentFetch = (url: string | URL | Request, init?: RequestInit) =>
    undiciFetch(url as Parameters<typeof undiciFetch>[0], { ...(init as object), dispatcher });
  return { answerKey, fetch: agentFetch as unknown as typeof fetch };
}

/** Each configured agent's trust, by its url as targets name it. */
export function trustedAgents(endpoints: readonly AgentEndpoint[]): (agentUrl: string) => AgentTrust {
  const byUrl = new Map(endpoints.map((endpoint) => [endpoint.url, agentTrust(endpoint)]));
  return (agentUrl) => {
    const trust = byUrl.get(agentUrl);
    // Config parsing refuses a target whose agentUrl is not in BACKUP_AGENTS, so this is a bug, not input.
    if (!trust) throw new BackupError('CONFIG_INVALID', `no BACKUP_AGENTS entry for ${agentUrl}`);
    return trust;
  };
}
