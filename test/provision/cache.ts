// Where `npm test` keeps what it provisions — outside the repository, shared by every checkout on the machine —
// and the lock that makes a second `npm test` wait for the first one's builds instead of repeating them.
import { mkdir, readFile, rm, writeFile } from 'node:fs/promises';
import { homedir } from 'node:os';
import { join } from 'node:path';

export function cacheRoot(env: NodeJS.ProcessEnv = process.env): string {
  return join(env.XDG_CACHE_HOME || join(homedir(), '.cache'), 'db-backup-orchestrator');
}

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/** Runs `work` holding `<root>/lock` (a folder: mkdir is atomic); a holder that died is taken over. */
export async function withCacheLock<T>(root: string, work: () => Promise<T>): Promise<T> {
  const lock = join(root, 'lock');
  await mkdir(root, { recursive: true });
  let told = false;
  for (;;) {
    try {
      await mkdir(lock);
      await writeFile(join(lock, 'pid'), String(process.pid));
      break;
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
      const holder = Number(await readFile(join(lock, 'pid'), 'utf8').catch(() => 'NaN'));
      // A lock without a pid yet is being taken this very moment; one whose holder is gone is stale.
      if (Number.isInteger(holder) && !alive(holder)) {
        await rm(lock, { recursive: true, force: true });
        continue;
      }
      if (!told) console.log(`provision: waiting for process ${holder} to finish provisioning ${root}`);
      told = true;
      await new Promise((resolve) => setTimeout(resolve, 2000));
    }
  }
  try {
    return await work();
  } finally {
    await rm(lock, { recursive: true, force: true });
  }
}
