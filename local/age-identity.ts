// The local stack's age key, made once under its data folder: the demo backup is encrypted for it and restored with
// it, as a VM's agent does with its own identity, and the admin opens the stored object with it and the stock tools.
import { execFile } from 'node:child_process';
import { existsSync } from 'node:fs';
import { promisify } from 'node:util';
import { locateExecutable } from '../agent/pipeline/required-tools.js';

const run = promisify(execFile);

export interface AgeIdentity {
  /** The identity file (0600), the agent's identityFiles and the admin's `age -d -i`. */
  file: string;
  /** Its recipient, which the demo backups are encrypted for. */
  recipient: string;
}

/** Asked for before anything starts, so that its absence is one line saying how to install it. */
export function requireAge(): void {
  if (locateExecutable('age') && locateExecutable('age-keygen')) return;
  throw new Error(
    'the age and age-keygen commands are not on PATH, and the demo backup is encrypted with them: install age (Debian, Ubuntu: sudo apt-get install age; Fedora: sudo dnf install age; macOS: brew install age)',
  );
}

/** The key at `file`, made with age-keygen (which writes it 0600) when there is none yet. */
export async function ensureAgeIdentity(file: string): Promise<AgeIdentity> {
  if (!existsSync(file)) await run('age-keygen', ['-o', file]);
  const { stdout } = await run('age-keygen', ['-y', file]);
  return { file, recipient: stdout.trim() };
}
