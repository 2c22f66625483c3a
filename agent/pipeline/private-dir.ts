// A folder nobody else can enter, for what a tool is handed by name for a moment: secrets, pipes.
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

/** A private 0700 dir, RAM-backed where possible so a secret never reaches a disk, even while it has a name. */
export function privateDir(): string {
  try {
    return mkdtempSync('/dev/shm/db-backup-');
  } catch {
    return mkdtempSync(join(tmpdir(), 'db-backup-'));
  }
}
