// The native CRC32C the agent loads at run time: @node-rs/crc32 and its prebuilt binary for the database VMs'
// platform (Linux x64, glibc), copied as installed by npm ci, whatever platform builds the release.
import { cp, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { NATIVE_PACKAGE } from './bundle.js';

/** The platform of the database VMs: Debian and Ubuntu on x86-64. */
export const TARGET_PLATFORM = 'linux-x64';
const BINARY_PACKAGE = `${NATIVE_PACKAGE}-linux-x64-gnu`;

async function manifest(
  dir: string,
): Promise<{ version: string; optionalDependencies?: Record<string, string> }> {
  return JSON.parse(await readFile(join(dir, 'package.json'), 'utf8'));
}

/** Copies both packages into `<stage>/node_modules`; returns their names. */
export async function stageNative(root: string, stage: string): Promise<string[]> {
  const loader = join(root, 'node_modules', NATIVE_PACKAGE);
  const binary = join(root, 'node_modules', BINARY_PACKAGE);
  const wanted = (await manifest(loader)).optionalDependencies?.[BINARY_PACKAGE];
  const found = await manifest(binary).catch(() => undefined);
  if (!found) {
    // npm installs only the binary of the machine it runs on; another platform's cannot be had offline.
    throw new Error(
      `${BINARY_PACKAGE} is not installed: build the release on Linux x64 with glibc (e.g. Cloud Shell), where npm ci installs it`,
    );
  }
  if (found.version !== wanted) {
    throw new Error(
      `${BINARY_PACKAGE} ${found.version} is installed, but ${NATIVE_PACKAGE} asks for ${wanted}: run npm ci`,
    );
  }
  for (const [name, from] of [
    [NATIVE_PACKAGE, loader],
    [BINARY_PACKAGE, binary],
  ] as const) {
    await cp(from, join(stage, 'node_modules', name), { recursive: true });
  }
  return [NATIVE_PACKAGE, BINARY_PACKAGE];
}
