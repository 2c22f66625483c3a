// Installs a pinned npm package's commands into the cache, once, with their own package.json and node_modules:
// never into the project's dependencies, and with no install scripts (the tools run without their native addons).
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdir, readFile, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { runMeasured } from './measure.js';
import { failure, type Provision } from './outcome.js';
import type { NpmTool } from './versions.js';

export interface NpmEnvironment {
  /** The cache root: each tool gets a folder under `npm-tools/`. */
  root: string;
  logs: string;
}

export function npmToolDir(root: string, tool: NpmTool): string {
  return join(root, 'npm-tools', `${tool.name}@${tool.version}`);
}

/**
 * The environment of the inner npm: none of the `npm_*` variables an outer `npm test` sets (its prefix, its
 * package), which would point the install back at the project.
 */
export function npmEnv(env: NodeJS.ProcessEnv = process.env): NodeJS.ProcessEnv {
  return Object.fromEntries(Object.entries(env).filter(([name]) => !/^npm_/i.test(name)));
}

/** The folder's own package.json: the one dependency, exact, so the folder says what it holds. */
export function npmManifest(tool: NpmTool): string {
  const manifest = {
    name: `db-backup-test-${tool.name}`,
    private: true,
    description: 'Installed by the backup orchestrator tests (test/provision/npm-tools.ts); delete at will.',
    dependencies: { [tool.package]: tool.version },
  };
  return `${JSON.stringify(manifest, null, 2)}\n`;
}

/** --ignore-scripts: no native addon is built (mongosh falls back without them), and nothing runs at install. */
export const NPM_INSTALL_ARGS = ['install', '--ignore-scripts', '--no-audit', '--no-fund', '--omit=dev'];

/** The commands' paths when each is there — and, just installed, runs and says it is the pinned version. */
function installed(dir: string, tool: NpmTool, run: boolean): Record<string, string> | undefined {
  const paths = Object.fromEntries(
    tool.commands.map((name) => [name, join(dir, 'node_modules', '.bin', name)]),
  );
  for (const path of Object.values(paths)) {
    if (!existsSync(path)) return undefined;
    if (!run) continue;
    const probe = spawnSync(path, ['--version'], { encoding: 'utf8', timeout: 60_000 });
    if (probe.status !== 0 || probe.stdout.trim() !== tool.version) return undefined;
  }
  return paths;
}

export async function provisionNpmTool(environment: NpmEnvironment, tool: NpmTool): Promise<Provision> {
  const dir = npmToolDir(environment.root, tool);
  const detail = `${tool.package}@${tool.version} from npm in ${dir}`;
  const stamp = await readFile(join(dir, 'complete.json'), 'utf8').catch(() => undefined);
  const ready = stamp === JSON.stringify(tool) ? installed(dir, tool, false) : undefined;
  if (ready) return { state: 'ready', detail, paths: ready };
  if (spawnSync('npm', ['--version'], { env: npmEnv() }).status !== 0) {
    return {
      state: 'unavailable',
      reason: 'no npm client (`npm` is not on PATH)',
      command: 'install Node.js with npm',
    };
  }

  await rm(dir, { recursive: true, force: true });
  await mkdir(dir, { recursive: true });
  await writeFile(join(dir, 'package.json'), npmManifest(tool));
  const log = join(environment.logs, `${tool.name}.log`);
  await rm(log, { force: true });
  await rm(`${log}.time`, { force: true });
  const result = await runMeasured('npm', NPM_INSTALL_ARGS, { env: npmEnv(), log, cwd: dir });
  const command = `npm test again where the npm registry can be reached`;
  if (!result.ok)
    return failure(`npm install ${tool.package}@${tool.version} failed (log: ${log})`, result.tail, command);
  const paths = installed(dir, tool, true);
  if (!paths) {
    return failure(
      `${tool.package}@${tool.version} installed, but ${tool.commands.join(', ')} did not run as ${tool.version}`,
      '',
      command,
    );
  }
  await writeFile(join(dir, 'complete.json'), JSON.stringify(tool));
  const { seconds, cpuSeconds, peakMiB } = result;
  return { state: 'ready', detail, paths, built: { seconds, cpuSeconds, peakMiB } };
}
