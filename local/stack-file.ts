// `<data>/stack.json`: the lock of a local stack's folder, naming its process and, once it is up, where its
// functions answer — so `db-backup --local` talks to it, and a second stack on the same folder is refused.
import { mkdir } from 'node:fs/promises';
import { type FolderLock, folderHolder, lockFolder } from '../emulator/folder-lock.js';

export const FUNCTION_NAMES = [
  'backup',
  'verify',
  'retention',
  'restore',
  'list',
  'status',
  'doctor',
] as const;
export type FunctionName = (typeof FUNCTION_NAMES)[number];

const STACK_LOCK = 'stack.json';

export interface StackFile {
  pid: number;
  urls: Record<FunctionName, string>;
}

/** Takes the folder for a stack starting in this process; FolderBusyError names the live one that has it. */
export async function lockStack(dataDir: string): Promise<FolderLock> {
  await mkdir(dataDir, { recursive: true });
  return lockFolder(dataDir, STACK_LOCK);
}

/** Records where the stack's functions answer, once they do. */
export async function recordStackUrls(lock: FolderLock, urls: Record<FunctionName, string>): Promise<void> {
  await lock.update({ details: { urls } });
}

/** The running stack of `dataDir`, or null when none is up (no lock, its process is gone, or it is starting). */
export async function readStackFile(dataDir: string): Promise<StackFile | null> {
  const holder = await folderHolder(dataDir, STACK_LOCK);
  const urls = holder?.details?.urls as StackFile['urls'] | undefined;
  return holder && urls ? { pid: holder.pid, urls } : null;
}
