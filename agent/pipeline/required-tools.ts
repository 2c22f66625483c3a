// The tools every backup runs besides its dump tool: pv, pigz or zstd, and coreutils' stdbuf, and age where backups are
// encrypted. They are required, not optional — there is no other way for a dump to leave the VM — so the agent checks
// them when it starts, naming what is missing and the Debian package that has it, rather than failing its first
// backup at night.
import { accessSync, constants, statSync } from 'node:fs';
import { delimiter, join } from 'node:path';
import { ConfigError } from '../../core/errors.js';

/**
 * Each required tool's Debian (and Ubuntu) package: agent/deploy/install.sh installs pv, pigz, zstd and age, coreutils
 * is part of every Debian system.
 */
const DEBIAN_PACKAGES = { pv: 'pv', pigz: 'pigz', zstd: 'zstd', stdbuf: 'coreutils', age: 'age' } as const;

export type RequiredTool = keyof typeof DEBIAN_PACKAGES;

/**
 * Where each configurable tool is (agent.json's `…Path`): a bare name is looked up on PATH, a path is taken as it
 * is. stdbuf is looked up on PATH.
 */
export type RequiredToolPaths = Record<`${Exclude<RequiredTool, 'stdbuf' | 'age'>}Path`, string> & {
  /** Checked only when backups are encrypted or restores decrypted. */
  agePath?: string;
};

/** What the admin is told to do about a missing tool. */
export function installHint(tool: RequiredTool): string {
  return `install the Debian package ${DEBIAN_PACKAGES[tool]} (apt-get install ${DEBIAN_PACKAGES[tool]})`;
}

function isExecutableFile(path: string): boolean {
  try {
    accessSync(path, constants.X_OK);
    return statSync(path).isFile();
  } catch {
    return false;
  }
}

/** The executable a name or path stands for, or undefined when there is none. */
export function locateExecutable(name: string, path = process.env.PATH ?? ''): string | undefined {
  if (name.includes('/')) return isExecutableFile(name) ? name : undefined;
  return path
    .split(delimiter)
    .filter(Boolean)
    .map((dir) => join(dir, name))
    .find(isExecutableFile);
}

/** Throws a ConfigError naming every required tool that is missing, and the package to install for each. */
export function checkRequiredTools(paths: RequiredToolPaths, path = process.env.PATH ?? ''): void {
  const configuredPaths: Partial<Record<`${RequiredTool}Path`, string>> = { ...paths, stdbufPath: 'stdbuf' };
  const missing = (Object.keys(DEBIAN_PACKAGES) as RequiredTool[]).flatMap((tool) => {
    const configured = configuredPaths[`${tool}Path`];
    if (configured === undefined) return [];
    if (locateExecutable(configured, path)) return [];
    const where = configured.includes('/')
      ? `${configured} is not an executable file`
      : `no ${configured} on PATH`;
    return [`${tool} is missing (${where}): ${installHint(tool)}`];
  });
  if (missing.length > 0) {
    const age = paths.agePath === undefined ? '' : ', and age to encrypt and decrypt';
    throw new ConfigError(`every backup needs pv, pigz, zstd and stdbuf${age}; ${missing.join('; ')}`);
  }
}
