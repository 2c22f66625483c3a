// Runs `gcloud storage …` against an emulator, with a throwaway CLOUDSDK_CONFIG that never touches the user's.
import { spawn, spawnSync } from 'node:child_process';
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

export interface GcloudResult {
  code: number;
  stdout: string;
  stderr: string;
}

export interface Gcloud {
  /** Runs `gcloud <args>`, feeding `input` to stdin when given. Never throws on a non-zero exit. */
  run(args: string[], input?: string | Buffer): Promise<GcloudResult>;
  /** The throwaway configuration folder, for tests that want to inspect it. */
  configDir: string;
  dispose(): Promise<void>;
}

/** Why gcloud tests cannot run here, or undefined when gcloud is installed. */
export function gcloudMissingReason(): string | undefined {
  const probe = spawnSync('gcloud', ['--version'], {
    stdio: 'ignore',
    env: { ...process.env, CLOUDSDK_CORE_DISABLE_PROMPTS: '1' },
  });
  if (probe.error || probe.status !== 0)
    return 'gcloud is not installed (no `gcloud` on PATH); skipping gcloud tests';
  return undefined;
}

/**
 * Makes a configuration pointing `gcloud storage` at the emulator at `emulatorUrl` (e.g. http://127.0.0.1:4443):
 * the JSON API endpoint override, no credentials, a project, and no update checks, usage reports or composite
 * uploads. It is written as files rather than by `gcloud config set`, which would cost seconds per property.
 */
export async function gcloudFor(emulatorUrl: string, project = 'test-project'): Promise<Gcloud> {
  const configDir = await mkdtemp(join(tmpdir(), 'gcloud-config-'));
  await mkdir(join(configDir, 'configurations'));
  await writeFile(join(configDir, 'active_config'), 'default');
  await writeFile(
    join(configDir, 'configurations', 'config_default'),
    [
      '[api_endpoint_overrides]',
      `storage = ${emulatorUrl.replace(/\/+$/, '')}/storage/v1/`,
      '[auth]',
      'disable_credentials = true',
      '[core]',
      `project = ${project}`,
      'disable_usage_reporting = true',
      '[storage]',
      'parallel_composite_upload_enabled = False',
      '[component_manager]',
      'disable_update_check = true',
      '[survey]',
      'disable_prompts = true',
      '',
    ].join('\n'),
  );
  // A cached "not on GCE" answer keeps gcloud from probing the metadata server over the network.
  await writeFile(join(configDir, 'gce'), 'False');
  const env = { ...process.env, CLOUDSDK_CONFIG: configDir, CLOUDSDK_CORE_DISABLE_PROMPTS: '1' };
  return {
    configDir,
    run: (args, input) =>
      new Promise((done, fail) => {
        const child = spawn('gcloud', args, { env, stdio: ['pipe', 'pipe', 'pipe'] });
        const stdout: Buffer[] = [];
        const stderr: Buffer[] = [];
        child.stdout.on('data', (chunk: Buffer) => stdout.push(chunk));
        child.stderr.on('data', (chunk: Buffer) => stderr.push(chunk));
        child.on('error', fail);
        child.on('close', (code) =>
          done({
            code: code ?? -1,
            stdout: Buffer.concat(stdout).toString(),
            stderr: Buffer.concat(stderr).toString(),
          }),
        );
        child.stdin.end(input);
      }),
    dispose: () => rm(configDir, { recursive: true, force: true }),
  };
}
