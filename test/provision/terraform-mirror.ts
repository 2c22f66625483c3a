// The Terraform providers built from the Go module proxy, laid out as a filesystem mirror, and a CLI config
// that makes `terraform init` install from that mirror alone, so it never reaches a registry.
import { spawnSync } from 'node:child_process';
import { copyFile, link, mkdir, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { type GoEnvironment, provisionGoTool } from './go-tools.js';
import type { Manifest, Provision } from './outcome.js';
import { TERRAFORM_PROVIDERS, type TerraformProvider, UNOBTAINABLE_PROVIDERS } from './versions.js';

const REGISTRY = 'registry.terraform.io';

/** The terraform binary's version line, or undefined when there is none. */
function terraformVersion(): string | undefined {
  const probe = spawnSync('terraform', ['version'], {
    encoding: 'utf8',
    env: { ...process.env, CHECKPOINT_DISABLE: '1' },
  });
  return probe.status === 0 ? probe.stdout.split('\n')[0] : undefined;
}

/** The unpacked layout: <mirror>/<host>/<namespace>/<type>/<version>/<os_arch>/terraform-provider-<type>_v<version>. */
async function placeInMirror(mirror: string, provider: TerraformProvider, binary: string): Promise<string> {
  const dir = join(mirror, REGISTRY, 'hashicorp', provider.type, provider.version, 'linux_amd64');
  const target = join(dir, `terraform-provider-${provider.type}_v${provider.version}`);
  await rm(dir, { recursive: true, force: true });
  await mkdir(dir, { recursive: true });
  // A hard link shares the built file (the google provider is over 100 MiB); a copy where links cannot be made.
  await link(binary, target).catch(() => copyFile(binary, target));
  return target;
}

export function cliConfig(mirror: string): string {
  return [
    '# Written by the tests: providers come from this mirror only; no other installation method, so no registry.',
    'provider_installation {',
    '  filesystem_mirror {',
    `    path    = ${JSON.stringify(mirror)}`,
    `    include = ["${REGISTRY}/hashicorp/*"]`,
    '  }',
    '}',
    '',
  ].join('\n');
}

export async function provisionTerraform(environment: GoEnvironment): Promise<Manifest> {
  const manifest: Manifest = {};
  const version = terraformVersion();
  const mirror = join(environment.root, 'terraform', 'mirror');
  const configFile = join(environment.root, 'terraform', 'cli.tfrc');
  const unobtainable = Object.entries(UNOBTAINABLE_PROVIDERS);
  for (const [type, reason] of unobtainable)
    manifest[`provider:${type}`] = {
      state: 'unavailable',
      reason,
      command: `terraform providers mirror ${mirror} (where registry.terraform.io can be reached)`,
    };
  if (!version) {
    const reason = 'terraform is not installed (no `terraform` on PATH), so no provider is built for it';
    const command = 'install Terraform >= 1.5 from HashiCorp (no registry reached here serves it)';
    manifest.terraform = { state: 'unavailable', reason, command };
    for (const { type } of TERRAFORM_PROVIDERS)
      manifest[`provider:${type}`] = { state: 'unavailable', reason, command };
    return manifest;
  }
  await mkdir(mirror, { recursive: true });
  await writeFile(configFile, cliConfig(mirror));
  manifest.terraform = {
    state: 'ready',
    detail: `${version}; CLI config ${configFile}`,
    paths: { cliConfig: configFile, mirror },
  };

  for (const provider of TERRAFORM_PROVIDERS) {
    const name = `provider:${provider.type}`;
    const built: Provision = await provisionGoTool(environment, provider.tool);
    if (built.state !== 'ready') {
      manifest[name] = built;
      continue;
    }
    const binary = built.paths?.[`terraform-provider-${provider.type}`] ?? '';
    const placed = await placeInMirror(mirror, provider, binary);
    manifest[name] = { ...built, detail: `hashicorp/${provider.type} ${provider.version} in ${placed}` };
  }
  return manifest;
}
