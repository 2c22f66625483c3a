// Request signing between the function and the agent: RFC 9421 HTTP Message Signatures with Ed25519 over an
// RFC 9530 sha-256 Content-Digest; the agent's answers signed with its own key and bound to their requests.
export { checkContentDigest, contentDigest } from './content-digest.js';
export {
  generateKeyPair,
  keyThumbprint,
  loadPrivateKey,
  loadPublicKey,
  type SigningKey,
  type TrustedKeys,
} from './keys.js';
export type { NonceStore } from './nonce-store.js';
export { type SignOptions, sign } from './sign.js';
export { signResponse } from './sign-response.js';
export { type HttpRequest, type HttpResponse, signatureBase } from './signature-base.js';
export { SIGNATURE_WINDOW, type VerifiedSignature, type VerifyOptions, verify } from './verify.js';
export { type AnswerKey, verifyResponse } from './verify-response.js';
