// One call to a function: with an identity token from Application Default Credentials for the deployed ones (none
// for the local stack), asking to watch the run's progress when the command waits for one.
import { PROGRESS_TYPE } from '../functions/http/progress-stream.js';
import type { ProgressEvent } from '../functions/run/deps.js';
import type { Authorize } from './credentials.js';
import { CliError, EXIT } from './exit-codes.js';

export interface CallOptions {
  url: string;
  query: Record<string, string>;
  /** Absent for the local stack. */
  authorize?: Authorize;
  /** Stream the run's progress to `onProgress` (the run and restore commands). */
  onProgress?: (event: ProgressEvent) => void;
  fetch?: typeof fetch;
  /** Aborted when the admin stops waiting (Ctrl-C). */
  signal?: AbortSignal;
}

export interface Answer {
  /** The status the function gave the outcome (the last line's, when watched). */
  status: number;
  report?: unknown;
  error?: { code: string; message: string };
}

function outsideProtocol(url: string, why: string): CliError {
  return new CliError(EXIT.unreachable, `the function at ${url} ${why}`);
}

/** Reads an NDJSON answer line by line: progress as it comes, the outcome last. */
async function readWatched(
  response: Response,
  url: string,
  onProgress: (event: ProgressEvent) => void,
): Promise<Answer> {
  const decoder = new TextDecoder();
  let buffered = '';
  let last: Answer | undefined;
  for await (const chunk of response.body as unknown as AsyncIterable<Uint8Array>) {
    buffered += decoder.decode(chunk, { stream: true });
    const lines = buffered.split('\n');
    buffered = lines.pop() ?? '';
    for (const line of lines.filter((text) => text.trim() !== '')) {
      const message = JSON.parse(line) as { progress?: ProgressEvent } & Answer;
      if (message.progress) onProgress(message.progress);
      else last = message;
    }
  }
  if (!last) throw outsideProtocol(url, 'ended its answer without an outcome');
  return last;
}

export async function callFunction(options: CallOptions): Promise<Answer> {
  const { url, onProgress } = options;
  const target = new URL(url);
  for (const [name, value] of Object.entries(options.query)) target.searchParams.set(name, value);
  const headers: Record<string, string> = { accept: onProgress ? PROGRESS_TYPE : 'application/json' };
  if (options.authorize) headers.authorization = await options.authorize(url.replace(/\/+$/, ''));
  let response: Response;
  try {
    response = await (options.fetch ?? fetch)(target, {
      method: onProgress ? 'POST' : 'GET',
      headers,
      ...(options.signal && { signal: options.signal }),
    });
  } catch (error) {
    const cause = (error as Error).cause as Error | undefined;
    throw outsideProtocol(url, `could not be reached: ${cause?.message ?? (error as Error).message}`);
  }
  const type = response.headers.get('content-type') ?? '';
  // Cloud Run's own refusal of the caller is not JSON; the function's refusal of a request (SCRATCH_REFUSED) is.
  if ((response.status === 401 || response.status === 403) && !type.includes('json')) {
    throw outsideProtocol(
      url,
      `refused the caller (HTTP ${response.status}): is it an invoker of the function?`,
    );
  }
  try {
    if (onProgress && type.startsWith(PROGRESS_TYPE)) return await readWatched(response, url, onProgress);
    if (!type.includes('json'))
      throw new Error(`answered HTTP ${response.status} ${type || 'without a type'}`);
    const body = (await response.json()) as { error?: Answer['error'] };
    return body.error
      ? { status: response.status, error: body.error }
      : { status: response.status, report: body };
  } catch (error) {
    if (error instanceof CliError) throw error;
    throw outsideProtocol(url, `gave an answer outside the protocol: ${(error as Error).message}`);
  }
}
