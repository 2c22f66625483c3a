// Cloud Storage's resumable upload sessions as the function, the agent and the emulator all know them: the size every
// chunk but the last must be a multiple of, and cancelling a session so nothing partial stays.

/** Every chunk of a resumable upload but the last must be a multiple of this. */
export const CHUNK_QUANTUM = 256 * 1024;

/**
 * DELETE on the session URI; Cloud Storage answers 499, after which no chunk can finalize the object. A session
 * already finalized or cancelled answers another 4xx, and both leave nothing to do. Resolves with the status;
 * rejects only when the service cannot be reached.
 */
export async function cancelUploadSession(uri: string, fetchFn: typeof fetch = fetch): Promise<number> {
  const response = await fetchFn(uri, { method: 'DELETE', headers: { 'content-length': '0' } });
  await response.body?.cancel();
  return response.status;
}
