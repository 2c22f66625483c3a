// Cancelling a resumable upload session: the step both the function and the agent take so nothing partial stays.

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
