// The two file operations config parsing needs, passed in so parsing stays pure and testable.
import { readFileSync, statSync } from 'node:fs';

export interface ConfigFiles {
  readFile(path: string): string;
  /** The file's mode bits (st_mode). */
  mode(path: string): number;
}

export const nodeConfigFiles: ConfigFiles = {
  readFile: (path) => readFileSync(path, 'utf8'),
  mode: (path) => statSync(path).mode,
};
