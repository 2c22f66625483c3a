// Every answer the agent sends is signed with its own key (core/signing/sign-response.ts) and bound to the
// request it answers, so the function can tell the agent's word from a forgery on the network. The signer rides
// on the server's ServerResponse class, so every answer sent through respond.ts is signed, whatever route sent it.
import { type IncomingMessage, ServerResponse } from 'node:http';
import { type SigningKey, signResponse } from '../../core/signing/index.js';
import { targetUri, toHttpRequest } from './authenticate.js';

export interface Answer {
  status: number;
  headers: Record<string, string>;
  body: string;
}

/** The headers that sign `answer` to `req`; none when the request carries no signature to bind it to. */
export type SignAnswer = (req: IncomingMessage, answer: Answer) => Record<string, string>;

/** The request rebuilt as the function sent it (URI from publicUrl, as authenticate.ts verifies it). */
export function createAnswerSigner(key: SigningKey, publicUrl: string, now: () => Date): SignAnswer {
  return (req, answer) =>
    signResponse(answer, toHttpRequest(req, Buffer.alloc(0), targetUri(req, publicUrl)), key, now()) ?? {};
}

const SIGNER = Symbol('signAnswer');

/** A ServerResponse class for http(s).createServer whose answers `sign` signs. */
export function signedAnswers(sign: SignAnswer): typeof ServerResponse {
  class SignedServerResponse extends ServerResponse {
    readonly [SIGNER] = sign;
  }
  // The option's type is ServerResponse's generic constructor; this class is one for IncomingMessage.
  return SignedServerResponse as typeof ServerResponse;
}

/** The signature headers for `answer` on `res`, or none when its server signs nothing. */
export function answerSignature(res: ServerResponse, answer: Answer): Record<string, string> {
  const sign = (res as ServerResponse & { [SIGNER]?: SignAnswer })[SIGNER];
  return sign ? sign(res.req, answer) : {};
}
