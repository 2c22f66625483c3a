// `<data>/stack.json`: where a running local stack's functions answer, so `db-backup --local` talks to it instead of
// starting a second one on the same folder.
import { readFile, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';

export const FUNCTION_NAMES = ['backup', 'verify', 'retention', 'restore', 'list'] as const;
export type FunctionName = (typeof FUNCTION_NAMES)[number];

export interface StackFile {
  pid: number;
  urls: Record<FunctionName, string>;
}

const fileIn = (dataDir: string) => join(dataDir, 'stack.json');

export async function writeStackFile(dataDir: string, urls: Record<FunctionName, string>): Promise<void> {
  await writeFile(
    fileIn(dataDir),
    `${JSON.stringify({ pid: process.pid, urls } satisfies StackFile, null, 2)}\n`,
  );
}

export async function removeStackFile(dataDir: string): Promise<void> {
  await rm(fileIn(dataDir), { force: true });
}

/** The running stack of `dataDir`, or null when none is (no file, or its process is gone). */
export async function readStackFile(dataDir: string): Promise<StackFile | null> {
  let stack: StackFile;
  try {
    stack = JSON.parse(await readFile(fileIn(dataDir), 'utf8')) as StackFile;
  } catch {
    return null;
  }
  try {
    process.kill(stack.pid, 0);
    return stack;
  } catch {
    return null;
  }
}
