// Where each function answers: the deployed ones (terraform output function_urls, given as a file or as JSON in
// DB_BACKUP_FUNCTIONS), or the local stack — the one `npm start -- --watch` runs, else one started for this command.
import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { z } from 'zod';
import { CliError, EXIT } from './exit-codes.js';

export const FUNCTIONS_ENV = 'DB_BACKUP_FUNCTIONS';
export type FunctionName = 'backup' | 'verify' | 'restore' | 'list' | 'status' | 'doctor';

const urlsSchema = z.object({
  backup: z.url(),
  verify: z.url(),
  restore: z.url(),
  list: z.url(),
  status: z.url(),
  doctor: z.url(),
});

export interface Endpoints {
  urls: Record<FunctionName, string>;
  /** Whether calls carry an identity token (the deployed functions) or not (the local stack). */
  authenticated: boolean;
  /** The local stack's folder, when the calls go to the local stack. */
  data?: string;
  /** Whether this command started the local stack itself (no running one held the folder): it ends with it. */
  startedHere: boolean;
  /** Stops what this command started, if anything. */
  close(): Promise<void>;
}

/** `terraform output -json function_urls`: a JSON text, or the path of a file holding it. */
function parseFunctionUrls(value: string): Record<FunctionName, string> {
  let text = value.trim();
  if (!text.startsWith('{')) {
    try {
      text = readFileSync(resolve(text), 'utf8');
    } catch (error) {
      throw new CliError(
        EXIT.usage,
        `cannot read the function URLs from ${value}: ${(error as Error).message}`,
      );
    }
  }
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch {
    throw new CliError(
      EXIT.usage,
      'the function URLs are not JSON (expected terraform output -json function_urls)',
    );
  }
  // `terraform output -json` without a name wraps each output as { value }.
  const unwrapped = (json as { function_urls?: { value?: unknown } }).function_urls?.value ?? json;
  const parsed = urlsSchema.safeParse(unwrapped);
  if (!parsed.success) {
    throw new CliError(
      EXIT.usage,
      `the function URLs must name backup, verify, restore, list, status and doctor: ${parsed.error.issues[0]?.message}`,
    );
  }
  return parsed.data;
}

export async function resolveEndpoints(
  options: { local: boolean; data: string; functions?: string },
  env: NodeJS.ProcessEnv,
): Promise<Endpoints> {
  if (!options.local) {
    const value = options.functions ?? env[FUNCTIONS_ENV];
    if (!value) {
      throw new CliError(
        EXIT.usage,
        `say where the functions are: --functions FILE (terraform output -json function_urls), ${FUNCTIONS_ENV}, or --local`,
      );
    }
    return {
      urls: parseFunctionUrls(value),
      authenticated: true,
      startedHere: false,
      close: async () => {},
    };
  }
  // Loaded only for --local: the deployed path needs none of the emulator, agent or framework.
  const { readStackFile } = await import('../local/stack-file.js');
  const data = resolve(options.data);
  const running = await readStackFile(data);
  if (running)
    return { urls: running.urls, authenticated: false, data, startedHere: false, close: async () => {} };
  const { startLocalStack } = await import('../local/stack.js');
  try {
    const stack = await startLocalStack(data);
    return { urls: stack.urls, authenticated: false, data, startedHere: true, close: () => stack.close() };
  } catch (error) {
    // A stack still starting, an emulator alone on the folder, a tool missing: no functions to talk to.
    throw new CliError(EXIT.unreachable, `the local stack cannot start: ${(error as Error).message}`);
  }
}
