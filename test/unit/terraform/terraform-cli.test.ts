// With the terraform binary (no providers needed): formatting, the variables' validations and the targets JSON.
import { spawnSync } from 'node:child_process';
import { copyFile, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { expression, loadModule, moduleDir, resource } from './hcl.js';

const hasTerraform = spawnSync('terraform', ['version'], { encoding: 'utf8' }).status === 0;

const PUBLIC_KEY =
  '-----BEGIN PUBLIC KEY-----\nMCowBQYDK2VwAyEAGb9ECWmEzf6FQbrBZ9w7lshQhqowtrbLDFw4rXAxZuE=\n-----END PUBLIC KEY-----\n';

/** Valid values for every required input, as HCL. */
const REQUIRED: Record<string, string> = {
  project_id: '"my-project-1"',
  region: '"europe-west1"',
  bucket_name: '"my-project-1-db-backups"',
  function_source_dir: '"unused"',
  signing_key_id: '"backup-2025-01"',
  signing_public_key_pem: JSON.stringify(PUBLIC_KEY),
  alert_recipients: '["admin@example.com"]',
  alert_sender: '"backups@example.com"',
  targets: `[
    { id = "hospital", database = "HospitalDB", engine = "mysql", agentUrl = "http://10.0.0.5:8443" },
    { id = "docs", database = "documents", engine = "mongodb", agentUrl = "http://10.0.0.5:8443",
      compression = { algorithm = "zstd" } },
    { id = "pg", database = "app", engine = "postgres", agentUrl = "https://10.0.0.6:8443",
      compression = { algorithm = "gzip", level = 9 } },
  ]`,
};

let workDir: string;
let evaluations = 0;

/**
 * Evaluates `expr` in a copy of variables.tf plus the module's `targets` local, with inputs over REQUIRED.
 * terraform console reports a failed validation as an error yet exits 0, so the error text decides.
 */
async function evaluate(
  expr: string,
  inputs: Record<string, string> = {},
): Promise<{ ok: boolean; out: string }> {
  const vars = Object.entries({ ...REQUIRED, ...inputs }).map(([name, value]) => `${name} = ${value}`);
  const varFile = join(workDir, `inputs-${++evaluations}.tfvars`);
  await writeFile(varFile, vars.join('\n'));
  const result = spawnSync('terraform', ['console', '-no-color', `-var-file=${varFile}`], {
    cwd: workDir,
    input: `${expr}\n`,
    encoding: 'utf8',
    env: { ...process.env, TF_IN_AUTOMATION: '1', CHECKPOINT_DISABLE: '1' },
  });
  const ok = result.status === 0 && !result.stderr.includes('Error:');
  return { ok, out: ok ? result.stdout.trim() : result.stderr };
}

describe.skipIf(!hasTerraform)('with terraform', () => {
  beforeAll(async () => {
    workDir = await mkdtemp(join(tmpdir(), 'tf-module-'));
    await copyFile(join(moduleDir, 'variables.tf'), join(workDir, 'variables.tf'));
    const targets = expression((await loadModule()).locals.targets);
    await writeFile(join(workDir, 'locals.tf'), `locals {\n  targets = ${targets}\n}\n`);
  });

  afterAll(async () => {
    await rm(workDir, { recursive: true, force: true });
  });

  it('finds the module formatted (terraform fmt -check -recursive)', () => {
    const result = spawnSync('terraform', ['fmt', '-check', '-recursive', moduleDir], { encoding: 'utf8' });
    expect(result.stdout, 'files needing terraform fmt').toBe('');
    expect(result.status).toBe(0);
  });

  it('hands the function BACKUP_TARGETS as the JSON it parses, without null fields', async () => {
    const result = await evaluate('jsonencode(local.targets)');
    expect(result.ok, result.out).toBe(true);
    const json = JSON.parse(JSON.parse(result.out));
    expect(json).toEqual([
      { id: 'hospital', database: 'HospitalDB', engine: 'mysql', agentUrl: 'http://10.0.0.5:8443' },
      {
        id: 'docs',
        database: 'documents',
        engine: 'mongodb',
        agentUrl: 'http://10.0.0.5:8443',
        compression: { algorithm: 'zstd' },
      },
      {
        id: 'pg',
        database: 'app',
        engine: 'postgres',
        agentUrl: 'https://10.0.0.6:8443',
        compression: { algorithm: 'gzip', level: 9 },
      },
    ]);
  });

  it.each([
    [
      'an unknown engine',
      { targets: '[{ id = "a", database = "a", engine = "oracle", agentUrl = "http://h" }]' },
    ],
    [
      'a database name with a slash',
      { targets: '[{ id = "a", database = "a/b", engine = "mysql", agentUrl = "http://h" }]' },
    ],
    [
      'two targets with one id',
      { targets: `[${'{ id = "a", database = "a", engine = "mysql", agentUrl = "http://h" },'.repeat(2)}]` },
    ],
    [
      'a gzip level of 12',
      {
        targets:
          '[{ id = "a", database = "a", engine = "mysql", agentUrl = "http://h", compression = { algorithm = "gzip", level = 12 } }]',
      },
    ],
    ['allUsers as invoker', { invokers: '["allUsers"]' }],
    ['allAuthenticatedUsers as invoker', { invokers: '["allAuthenticatedUsers"]' }],
    [
      'a private key for the public one',
      { signing_public_key_pem: JSON.stringify(PUBLIC_KEY.replaceAll('PUBLIC', 'PRIVATE')) },
    ],
    ['internet ingress', { ingress_settings: '"ALLOW_ALL"' }],
    ['a poll budget past the deadline', { poll_budget_seconds: '1800' }],
    ['on_error = ignore', { on_error: '"ignore"' }],
    ['Node 18', { runtime: '"nodejs18"' }],
    ['a /24 connector range', { connector_cidr: '"10.8.0.0/24"' }],
  ])('refuses %s', async (_what, inputs) => {
    const result = await evaluate('var.project_id', inputs);
    expect(result.ok, result.out).toBe(false);
    expect(result.out).toContain('Invalid value for variable');
  });

  it('grants delete (the overwriter role and its binding) only when allow_force_overwrite is true', async () => {
    const mod = await loadModule();
    const counts = [
      ['google_project_iam_custom_role', 'backup_overwriter'],
      ['google_storage_bucket_iam_member', 'function_overwriter'],
    ].map(([type = '', name = '']) => expression(resource(mod, type, name).count) ?? '');
    for (const count of counts) {
      const byDefault = await evaluate(count);
      expect(byDefault.ok, byDefault.out).toBe(true);
      expect(byDefault.out).toBe('0');
      const optedIn = await evaluate(count, { allow_force_overwrite: 'true' });
      expect(optedIn.ok, optedIn.out).toBe(true);
      expect(optedIn.out).toBe('1');
    }
  });

  it('accepts the documented defaults with only the required inputs', async () => {
    const result = await evaluate('var.schedule_time_zone');
    expect(result.ok, result.out).toBe(true);
    expect(result.out).toContain('"Europe/Lisbon"');
  });
});
