// Which optional tool runs: a configured path as it is, a bare name only when PATH has it.
import { accessSync, constants, statSync } from 'node:fs';
import { delimiter, join } from 'node:path';

function isExecutableFile(path: string): boolean {
  try {
    accessSync(path, constants.X_OK);
    return statSync(path).isFile();
  } catch {
    return false;
  }
}

/**
 * The executable to run, or undefined when a bare name is not installed. A path is returned unchecked, so a wrong
 * one the admin configured fails loudly instead of silently falling back.
 */
export function findExecutable(name: string, path = process.env.PATH ?? ''): string | undefined {
  if (name.includes('/')) return name;
  return path
    .split(delimiter)
    .filter(Boolean)
    .map((dir) => join(dir, name))
    .find(isExecutableFile);
}
