// Cloud Storage's resumable upload sessions as the function, the agent and the emulator all know them: the size every
// chunk but the last must be a multiple of, and cancelling a session so nothing partial stays.
import { request as httpRequest } from 'node:http';
import { request as httpsRequest } from 'node:https';

/** Every chunk of a resumable upload but the last must be a multiple of this. */
export const CHUNK_QUANTUM = 256 * 1024;

/** Cloud Storage's answer to a cancelled session: after it, no chunk can finalize the object. */
export const SESSION_CANCELLED = 499;

const CANCEL_TIMEOUT_MS = 30_000;

/**
 * DELETE on the session URI with `Content-Length: 0`, as Cloud Storage documents the cancel. Resolves with the
 * status — SESSION_CANCELLED, or anything else for a session that may still be open — and rejects only when the
 * service cannot be reached or does not answer.
 *
 * Through node:http(s), not fetch or undici: both leave `Content-Length: 0` out of a request without a body whose
 * method expects none (RFC 9110 allows it), and node:http sends the headers it is given. It never follows a
 * redirect either: a 3xx is the answer, as the session URI is a capability that must go nowhere else.
 */
export function cancelUploadSession(uri: string, timeoutMs = CANCEL_TIMEOUT_MS): Promise<number> {
  const url = new URL(uri);
  const send = url.protocol === 'https:' ? httpsRequest : httpRequest;
  return new Promise((resolve, reject) => {
    const request = send(url, { method: 'DELETE', headers: { 'content-length': '0' } }, (response) => {
      // The body says nothing the status does not; read to its end, so the connection can be kept.
      response.resume();
      resolve(response.statusCode ?? 0);
    });
    request.setTimeout(timeoutMs, () =>
      request.destroy(new Error(`no answer to the cancel within ${timeoutMs / 1000} s`)),
    );
    request.once('error', reject);
    request.end();
  });
}
