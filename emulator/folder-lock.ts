// One process at a time on a data folder: a lock file naming its holder (pid, command, since, and what it serves),
// refused to a second process while that holder lives, taken over once it is dead. Two emulators on one folder
// each keep their own catalog and overwrite the other's, so a generation one of them wrote can vanish.
//
// Written here rather than taken from proper-lockfile: that library judges a lock by its file's age, refreshed by
// a timer, and records no holder, while a process that refuses must say who holds the folder and how to reach it.
import { randomBytes } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { link, readFile, rename, unlink, writeFile } from 'node:fs/promises';
import { join, relative } from 'node:path';

export interface LockHolder {
  pid: number;
  /** The holder's command line, e.g. `local/start.ts --watch`. */
  command: string;
  /** When it took the folder. */
  since: string;
  /** Where it serves the folder, once it does: what another process can attach to. */
  url?: string;
  /** Extra facts a caller records, e.g. the local stack's function URLs. */
  details?: Record<string, unknown>;
  /** The holder's process start time (Linux), so a pid reused by another process is not taken for it. */
  started?: string;
  /** Tells this holder's own file from a later one of the same pid. */
  token: string;
}

/** The folder is held by a live process; `holder` says which. */
export class FolderBusyError extends Error {
  constructor(
    readonly folder: string,
    readonly holder: LockHolder,
  ) {
    const where = holder.url ? `, serving it at ${holder.url}` : '';
    super(`${folder} is in use by pid ${holder.pid} (${holder.command}) since ${holder.since}${where}`);
    this.name = 'FolderBusyError';
  }
}

export interface FolderLock {
  readonly path: string;
  /** Records where the folder is now served, and any details, in the lock for others to read. */
  update(fields: Pick<LockHolder, 'url' | 'details'>): Promise<void>;
  /** Removes the lock, if it is still this holder's. */
  release(): Promise<void>;
}

/** The start time of process `pid` as the kernel counts it (field 22 of /proc/<pid>/stat); undefined elsewhere. */
function processStart(pid: number): string | undefined {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    // The command name (field 2) may hold spaces and parentheses: count fields after its closing one.
    return stat.slice(stat.lastIndexOf(')') + 2).split(' ')[19];
  } catch {
    return undefined;
  }
}

/** Whether the process that wrote `holder` still runs. */
function alive(holder: LockHolder): boolean {
  try {
    process.kill(holder.pid, 0);
  } catch (error) {
    // EPERM: a process of another user has that pid, which is alive.
    if ((error as NodeJS.ErrnoException).code !== 'EPERM') return false;
  }
  const started = processStart(holder.pid);
  return holder.started === undefined || started === undefined || started === holder.started;
}

async function readHolder(path: string): Promise<LockHolder | null> {
  try {
    return JSON.parse(await readFile(path, 'utf8')) as LockHolder;
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return null;
    throw new Error(`cannot read the lock ${path}: ${(error as Error).message}`);
  }
}

/** Writes `holder` beside `path` first, so whoever reads the lock reads it whole. */
async function staged(path: string, holder: LockHolder): Promise<string> {
  const temp = `${path}.${holder.token}.tmp`;
  await writeFile(temp, `${JSON.stringify(holder, null, 2)}\n`, { mode: 0o644 });
  return temp;
}

/** The command line of this process, its script relative to the working folder. */
function ownCommand(): string {
  const [, script = '', ...args] = process.argv;
  return [relative(process.cwd(), script) || script, ...args].join(' ');
}

/**
 * Takes `<folder>/<name>`, or throws FolderBusyError naming the live process that holds it. A lock left by a
 * process that died is taken over: moved aside under a name of its own, checked to be the dead holder's (not a
 * lock someone took meanwhile, which is put back), and removed.
 */
export async function lockFolder(folder: string, name: string): Promise<FolderLock> {
  const path = join(folder, name);
  const started = processStart(process.pid);
  let holder: LockHolder = {
    pid: process.pid,
    command: ownCommand(),
    since: new Date().toISOString(),
    ...(started && { started }),
    token: randomBytes(8).toString('hex'),
  };
  const temp = await staged(path, holder);
  try {
    for (;;) {
      try {
        await link(temp, path);
        break;
      } catch (error) {
        if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
      }
      const current = await readHolder(path);
      if (!current) continue;
      if (alive(current)) throw new FolderBusyError(folder, current);
      const aside = `${path}.${holder.token}.stale`;
      await rename(path, aside).catch(() => undefined);
      const moved = await readHolder(aside);
      if (moved && moved.token !== current.token) await link(aside, path).catch(() => undefined);
      await unlink(aside).catch(() => undefined);
    }
  } finally {
    await unlink(temp).catch(() => undefined);
  }
  return {
    path,
    async update(fields) {
      holder = { ...holder, ...fields };
      await rename(await staged(path, holder), path);
    },
    async release() {
      const current = await readHolder(path).catch(() => null);
      if (current?.token === holder.token) await unlink(path).catch(() => undefined);
    },
  };
}

/** The live holder of `<folder>/<name>`, or null when nobody holds it (no lock, or its process is gone). */
export async function folderHolder(folder: string, name: string): Promise<LockHolder | null> {
  const current = await readHolder(join(folder, name)).catch(() => null);
  return current && alive(current) ? current : null;
}
