// The signing profile shared by signer and verifier, and the RFC 9421 signature base: the exact text signed.
import { httpbis } from 'http-message-signatures';
import { type InnerList, serializeInnerList, serializeItem } from 'structured-headers';

/** An HTTP request as plain data: `url` is the absolute target URI, header names are lower-case. */
export interface HttpRequest {
  readonly method: string;
  readonly url: string;
  readonly headers: Readonly<Record<string, string>>;
  readonly body: Uint8Array | string;
}

/** One signature per request, always under this label. */
export const LABEL = 'sig1';
export const ALGORITHM = 'ed25519';
/** What every signature must cover: the body is covered through its content-digest. */
export const COVERED_COMPONENTS = ['@method', '@target-uri', 'content-digest', 'content-type'] as const;

/**
 * The signature base of `request` for a signature input (covered components and parameters). Deriving
 * component values is the library's job (it knows every derived component, which the RFC's own examples
 * need); the clock, the parameters and the policy stay in sign.ts and verify.ts.
 */
export function signatureBase(request: HttpRequest, input: InnerList): string {
  const fields = input[0].map((item) => serializeItem(item));
  const lines = httpbis.createSignatureBase({ fields }, request);
  lines.push(['"@signature-params"', [serializeInnerList(input)]]);
  return httpbis.formatSignatureBase(lines);
}
