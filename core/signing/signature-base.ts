// The signing profiles shared by signer and verifier (requests, and the agent's answers to them), and the RFC 9421
// signature base: the exact text signed.
import { httpbis } from 'http-message-signatures';
import { type InnerList, serializeInnerList, serializeItem } from 'structured-headers';

/** An HTTP request as plain data: `url` is the absolute target URI, header names are lower-case. */
export interface HttpRequest {
  readonly method: string;
  readonly url: string;
  readonly headers: Readonly<Record<string, string>>;
  readonly body: Uint8Array | string;
}

/** An HTTP response as plain data; header names are lower-case. */
export interface HttpResponse {
  readonly status: number;
  readonly headers: Readonly<Record<string, string>>;
  readonly body: Uint8Array | string;
}

/** One signature per request, always under this label. */
export const LABEL = 'sig1';
export const ALGORITHM = 'ed25519';
/** What every signature must cover: the body is covered through its content-digest. */
export const COVERED_COMPONENTS = ['@method', '@target-uri', 'content-digest', 'content-type'] as const;

/** The agent's signature on its answer, always under this label. */
export const RESPONSE_LABEL = 'res1';
/**
 * What every answer's signature must cover (RFC 9421 §2.4): its status, body (through content-digest) and type,
 * and, from the request it answers (`;req`), the method, the URI and the request's own signature, so the answer
 * holds for that one request only. As the components appear in Signature-Input.
 */
export const RESPONSE_COMPONENTS = [
  '"@status"',
  '"content-digest"',
  '"content-type"',
  '"@method";req',
  '"@target-uri";req',
  `"signature";req;key="${LABEL}"`,
] as const;

/**
 * The signature base of `request` for a signature input (covered components and parameters), or, given
 * `response`, of that response to `request` (its `;req` components come from the request). Deriving component
 * values is the library's job (it knows every derived component, which the RFC's own examples need); the clock,
 * the parameters and the policy stay in the sign and verify modules.
 */
export function signatureBase(request: HttpRequest, input: InnerList, response?: HttpResponse): string {
  const fields = input[0].map((item) => serializeItem(item));
  const lines = response
    ? httpbis.createSignatureBase({ fields }, response, request)
    : httpbis.createSignatureBase({ fields }, request);
  lines.push(['"@signature-params"', [serializeInnerList(input)]]);
  return httpbis.formatSignatureBase(lines);
}
