// Which recipients the agent's identity files open: age-keygen -y gives each identity's recipient, read once at start;
// only their fingerprints leave the agent, in a signed answer the function's `status` asks for.
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { ConfigError } from '../../core/errors.js';
import { fingerprint } from './recipients.js';

const run = promisify(execFile);

/** The fingerprint of every recipient `identityFiles` open, in order; a ConfigError names a file age-keygen refused. */
export async function openedRecipients(identityFiles: readonly string[]): Promise<string[]> {
  const fingerprints: string[] = [];
  for (const [index, file] of identityFiles.entries()) {
    let recipients: string;
    try {
      recipients = (await run('age-keygen', ['-y', file])).stdout;
    } catch (cause) {
      // Not age-keygen's words: they could quote the file.
      throw new ConfigError(`identityFiles.${index}: age-keygen -y found no identity in ${file}`, { cause });
    }
    for (const line of recipients.split('\n')) if (line.trim()) fingerprints.push(fingerprint(line.trim()));
  }
  return fingerprints;
}
