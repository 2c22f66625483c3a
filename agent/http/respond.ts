// JSON answers, signed (sign-answer.ts), errors in the protocol's error body with the status from the shared code
// table.
import type { ServerResponse } from 'node:http';
import { type ErrorCode, HTTP_STATUS_BY_CODE } from '../../core/errors.js';
import type { BusyJob, ErrorBody } from '../../core/protocol.js';
import { answerSignature } from './sign-answer.js';

/** A JSON answer, signed with the agent's own key when the request was signed. */
export function sendAnswer(
  res: ServerResponse,
  status: number,
  body: unknown,
  headers: Record<string, string> = {},
) {
  const text = JSON.stringify(body);
  const type = { 'content-type': 'application/json; charset=utf-8' };
  res.writeHead(status, {
    ...type,
    'content-length': Buffer.byteLength(text),
    'cache-control': 'no-store',
    ...headers,
    ...answerSignature(res, { status, headers: type, body: text }),
  });
  res.end(text);
}

export function sendError(
  res: ServerResponse,
  code: ErrorCode,
  message: string,
  extra: { busy?: BusyJob[]; close?: boolean } = {},
): void {
  const body: ErrorBody = { error: { code, message, ...(extra.busy && { busy: extra.busy }) } };
  // Closing stops the client sending the rest of a body the agent will not read.
  sendAnswer(res, HTTP_STATUS_BY_CODE[code], body, extra.close ? { connection: 'close' } : {});
}

/** The one answer to every failed signature check, so a caller cannot tell which check it failed. */
export function sendUnauthenticated(res: ServerResponse): void {
  sendError(res, 'UNAUTHENTICATED', 'the request is not signed by a trusted key');
}
