// Process helpers for tests that run real tools: a free loopback port, a tool run with stdin, and stand-in
// executables (shell scripts in a temp dir) for tools that cannot be installed here, such as mongodump.

import { execFile } from 'node:child_process';
import { chmod, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

/** A port free on 127.0.0.1 right now (the OS picks it; the caller binds it soon after). */
export { freePort } from '../../local/free-port.js';

export interface RunOptions {
  input?: string | Buffer;
  env?: NodeJS.ProcessEnv;
}

/** Runs a program without a shell; rejects with its stderr when it exits non-zero. Resolves with stdout. */
export function runTool(file: string, args: string[], options: RunOptions = {}): Promise<string> {
  return new Promise((resolve, reject) => {
    const child = execFile(
      file,
      args,
      { env: options.env ?? process.env, maxBuffer: 1024 ** 3, encoding: 'utf8' },
      (error, stdout, stderr) => {
        if (error) reject(new Error(`${file} ${args.join(' ')} failed: ${stderr || error.message}`));
        else resolve(stdout);
      },
    );
    // A tool that exits without reading its input (a readiness probe while a server starts) closes stdin
    // early; its exit code and stderr already report that, so the EPIPE is not an error of its own.
    child.stdin?.on('error', () => {});
    child.stdin?.end(options.input ?? '');
  });
}

export interface StandIns {
  dir: string;
  /** Writes an executable `#!/bin/sh` script named `name` and returns its path. */
  script(name: string, body: string): Promise<string>;
  remove(): Promise<void>;
}

export async function createStandIns(): Promise<StandIns> {
  const dir = await mkdtemp(join(tmpdir(), 'stand-ins-'));
  return {
    dir,
    async script(name, body) {
      const path = join(dir, name);
      await writeFile(path, `#!/bin/sh\n${body}\n`);
      await chmod(path, 0o755);
      return path;
    },
    remove: () => rm(dir, { recursive: true, force: true }),
  };
}

/** A dump tool that writes `mebibytes` MiB of SQL-looking text, complains on stderr, and exits with `code`. */
export function failingDumpScript(mebibytes: number, code: number): string {
  return [
    `head -c ${mebibytes * 1024 * 1024} /dev/urandom | base64 -w 76`,
    `echo "error: lost connection to server during query (password=hunter2)" >&2`,
    `exit ${code}`,
  ].join('\n');
}
