// Checks a request's RFC 9421 signature. The signed @target-uri is rebuilt from config `publicUrl` (the URL the
// function calls), never from the Host header, which the sender chooses.
import type { IncomingMessage } from 'node:http';
import {
  type HttpRequest,
  type NonceStore,
  type TrustedKeys,
  type VerifiedSignature,
  type VerifyOptions,
  verify,
} from '../../core/signing/index.js';

export interface AuthenticatorOptions {
  trustedKeys: TrustedKeys;
  nonceStore: NonceStore;
  verifyOptions: VerifyOptions;
  /** This agent's origin, such as `http://10.0.0.5:8443`. */
  publicUrl: string;
  now: () => Date;
}

export type Authenticate = (req: IncomingMessage, body: Buffer) => VerifiedSignature;

/** The absolute URI the signer must have signed for this request. */
export function targetUri(req: IncomingMessage, publicUrl: string): string {
  return `${new URL(publicUrl).origin}${req.url ?? '/'}`;
}

/** The request as the signing module sees it: header names lower-case, repeated headers joined. */
export function toHttpRequest(req: IncomingMessage, body: Buffer, uri: string): HttpRequest {
  const headers: Record<string, string> = {};
  for (const [name, value] of Object.entries(req.headers)) {
    if (value !== undefined) headers[name] = Array.isArray(value) ? value.join(', ') : value;
  }
  return { method: req.method ?? 'GET', url: uri, headers, body };
}

/** Throws the core's SignatureError (its code names the failed check) unless the request verifies. */
export function createAuthenticator(options: AuthenticatorOptions): Authenticate {
  return (req, body) =>
    verify(
      toHttpRequest(req, body, targetUri(req, options.publicUrl)),
      options.trustedKeys,
      options.now(),
      options.nonceStore,
      options.verifyOptions,
    );
}
