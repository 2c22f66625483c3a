// Starts a tool from its command data, without a shell: its own minimal environment, secrets on extra descriptors.

import { type ChildProcess, spawn } from 'node:child_process';
import { closeSync, openSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { DumpCommand } from '../engines/engine.js';
import { privateDir } from './private-dir.js';

export interface RunningTool {
  child: ChildProcess;
  /** The exit code once stdio has closed; null when killed by a signal. Rejects when the tool cannot start. */
  closed: Promise<number | null>;
  /** SIGTERM, then SIGKILL if it is still there after `graceMs`. */
  kill(graceMs?: number): void;
}

// Only what a tool needs to find itself and its locale: the agent's own environment may hold other secrets.
const INHERITED_ENV = ['PATH', 'HOME', 'LANG', 'LC_ALL', 'TZ'];

/**
 * Opens each secret as a descriptor on a file that no longer has a name: written 0600 into a private dir, opened,
 * then unlinked before the tool starts. The tool reads it through /dev/fd/N; nobody else can find it.
 */
function openSecretFiles(contents: readonly string[]): number[] {
  const fds: number[] = [];
  try {
    for (const content of contents) {
      const dir = privateDir();
      const path = join(dir, 'secret');
      try {
        writeFileSync(path, content, { mode: 0o600 });
        fds.push(openSync(path, 'r'));
      } finally {
        rmSync(dir, { recursive: true, force: true });
      }
    }
  } catch (error) {
    for (const fd of fds) closeSync(fd);
    throw error;
  }
  return fds;
}

/**
 * A descriptor (one end of an OsPipe) joins the tool to another without the agent relaying the bytes; the caller
 * closes its own copy once the tools have started, so that the reader sees the end when the writer exits.
 */
export interface ToolStdio {
  /** `ignore` by default: a dump tool reads nothing. */
  stdin?: 'ignore' | 'pipe' | number;
  /** A pipe to the agent by default. */
  stdout?: 'pipe' | number;
  /** More pipe ends, handed over after the secret files: the tool opens them as `/dev/fd/N`. */
  extra?: number[];
}

export function spawnTool(
  command: DumpCommand,
  { stdin = 'ignore', stdout = 'pipe', extra = [] }: ToolStdio = {},
): RunningTool {
  const env: Record<string, string> = {};
  for (const name of INHERITED_ENV) {
    const value = process.env[name];
    if (value !== undefined) env[name] = value;
  }
  Object.assign(env, command.env);
  const fds = openSecretFiles(command.secretFiles);
  let child: ChildProcess;
  try {
    child = spawn(command.file, command.args, { stdio: [stdin, stdout, 'pipe', ...fds, ...extra], env });
  } finally {
    // The child holds its own copies now.
    for (const fd of fds) closeSync(fd);
  }
  const closed = new Promise<number | null>((resolve, reject) => {
    child.once('error', reject);
    child.once('close', (code) => resolve(code));
  });
  return {
    child,
    closed,
    kill(graceMs = 5000) {
      if (child.exitCode !== null || child.signalCode !== null) return;
      child.kill('SIGTERM');
      const timer = setTimeout(() => child.kill('SIGKILL'), graceMs);
      timer.unref();
      child.once('exit', () => clearTimeout(timer));
    },
  };
}
