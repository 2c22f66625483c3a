// vitest's global setup: provisions everything the tests use before any test file loads, prints one line for
// anything it could not, hands the tests what it found, and fails the run when this machine could have provided
// something and did not. A global setup rather than a script before `vitest`: every way of running the tests
// (`npm test`, `npx vitest run <file>`, watch mode) gets the same tools, handed over with `provide`.
import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { TestProject } from 'vitest/node';
import { cacheRoot, withCacheLock } from './cache.js';
import { provisionDebian } from './debian.js';
import { provisionGo } from './go-toolchain.js';
import { provisionGoTool } from './go-tools.js';
import { provisionNpmTool } from './npm-tools.js';
import { describeProvision, type Manifest, type Provision } from './outcome.js';
import { provisionTerraform } from './terraform-mirror.js';
import { FAKE_GCS_SERVER, FERRETDB, MONGO_TOOLS, MONGOSH } from './versions.js';

async function provisionAll(root: string): Promise<Manifest> {
  const logs = join(root, 'logs');
  await mkdir(logs, { recursive: true });
  // Debian first: it brings GNU time, which measures the builds.
  const manifest: Manifest = { ...(await provisionDebian(logs)) };
  manifest.go = await provisionGo(root, logs);
  const environment = { root, logs, go: manifest.go };
  for (const tool of [FAKE_GCS_SERVER, FERRETDB, MONGO_TOOLS])
    manifest[tool.name] = await provisionGoTool(environment, tool);
  manifest[MONGOSH.name] = await provisionNpmTool(environment, MONGOSH);
  Object.assign(manifest, await provisionTerraform(environment));
  await writeFile(join(root, 'manifest.json'), `${JSON.stringify(manifest, null, 2)}\n`);
  return manifest;
}

/** Cached entries share one line, and so do entries with the same news (every package apt-get could not have). */
export function summary(root: string, manifest: Manifest): string[] {
  const cached: string[] = [];
  const news = new Map<string, { names: string[]; provision: Provision }>();
  for (const [name, provision] of Object.entries(manifest)) {
    if (provision.state === 'ready' && !provision.built) {
      cached.push(name);
      continue;
    }
    const key = describeProvision('', provision);
    const entry = news.get(key) ?? { names: [], provision };
    entry.names.push(name);
    news.set(key, entry);
  }
  return [
    ...(cached.length ? [`provision: ready in ${root}: ${cached.join(', ')}`] : []),
    ...[...news.values()].map(({ names, provision }) => describeProvision(names.join(', '), provision)),
  ];
}

export default async function setup(project: TestProject): Promise<void> {
  const root = cacheRoot();
  const manifest = await withCacheLock(root, () => provisionAll(root));
  const lines = summary(root, manifest);
  for (const line of lines) console.log(line);
  project.provide('provisioned', manifest);
  const failed = Object.entries(manifest).filter(([, provision]) => provision.state === 'failed');
  if (failed.length > 0)
    throw new Error(
      `provisioning failed for ${failed.map(([name]) => name).join(', ')}, which this machine could provide:\n${lines.filter((line) => line.includes('FAILED')).join('\n')}`,
    );
}
