// With the terraform binary: the module is formatted, its inputs refuse what would deploy something unsafe or
// broken, and the JSON settings reach the function without null fields.
import { spawnSync } from 'node:child_process';
import { describe, expect, it } from 'vitest';
import { expression, loadModule, moduleDir, resource } from './hcl.js';
import { hasTerraform, PUBLIC_KEY, terraformBinary, useConsole } from './tf-console.js';

describe.skipIf(!hasTerraform)('module inputs, evaluated by terraform', () => {
  const tf = useConsole();

  it('finds the module formatted (terraform fmt -check -recursive)', () => {
    const result = spawnSync(terraformBinary(), ['fmt', '-check', '-recursive', moduleDir], {
      encoding: 'utf8',
      env: { ...process.env, TF_CLI_CONFIG_FILE: '/dev/null' },
    });
    expect(result.stdout, 'files needing terraform fmt').toBe('');
    expect(result.status).toBe(0);
  });

  it('hands the function BACKUP_TARGETS and BACKUP_AGENTS as the JSON it parses, without null fields', async () => {
    const settings = await tf().json<Record<string, string>>('local.function_settings');
    expect(JSON.parse(settings.BACKUP_TARGETS ?? '')).toEqual([
      // Encrypted unless the admin opts out: the module's default for every target.
      {
        id: 'hospital',
        database: 'HospitalDB',
        engine: 'mysql',
        agentUrl: 'http://10.0.0.5:8443',
        encryption: 'required',
      },
      {
        id: 'docs',
        database: 'documents',
        engine: 'mongodb',
        agentUrl: 'http://10.0.0.5:8443',
        compression: { algorithm: 'zstd' },
        encryption: 'required',
      },
      {
        id: 'pg',
        database: 'app',
        engine: 'postgres',
        agentUrl: 'https://10.0.0.6:8443',
        compression: { algorithm: 'gzip', level: 9 },
        encryption: 'required',
      },
    ]);
    expect(JSON.parse(settings.BACKUP_AGENTS ?? '')).toEqual([
      { url: 'http://10.0.0.5:8443', publicKey: PUBLIC_KEY },
      { url: 'https://10.0.0.6:8443', publicKey: PUBLIC_KEY, tlsCertSha256: 'ab'.repeat(32) },
    ]);
  });

  it('shares the backup cron between the scheduler job and BACKUP_SCHEDULE', async () => {
    const cron = '"30 1 * * 1-5"';
    const settings = await tf().json<Record<string, string>>('local.function_settings', {
      backup_schedule: cron,
    });
    const schedules = await tf().json<Record<string, string>>('local.schedules', { backup_schedule: cron });
    expect(settings.BACKUP_SCHEDULE).toBe('30 1 * * 1-5');
    expect(schedules.backup).toBe(settings.BACKUP_SCHEDULE);
  });

  const agent = (extra: string) =>
    `[{ url = "https://10.0.0.5:8443", public_key_pem = ${JSON.stringify(PUBLIC_KEY)}, ${extra} }]`;
  const target = (url: string) => `[{ id = "a", database = "a", engine = "mysql", agentUrl = "${url}" }]`;

  it.each([
    ['a target whose agent is not among the agents', { targets: target('http://10.9.9.9:8443') }],
    [
      'an agent url with a path',
      { agents: agent('').replace('8443"', '8443/v1"'), targets: target('https://10.0.0.5:8443/v1') },
    ],
    ['a private key for an agent key', { agents: agent('').replaceAll('PUBLIC KEY', 'PRIVATE KEY') }],
    ['a certificate pin that is not 64 hex digits', { agents: agent('tls_cert_sha256 = "abc"') }],
    [
      'TLS settings on an http agent',
      {
        agents: agent(`tls_cert_sha256 = "${'a'.repeat(64)}"`).replace('https', 'http'),
        targets: target('http://10.0.0.5:8443'),
      },
    ],
    ['allUsers as invoker', { invokers: '["allUsers"]' }],
    ['allAuthenticatedUsers as invoker', { invokers: '["allAuthenticatedUsers"]' }],
    [
      'a private key for the public one',
      { signing_public_key_pem: JSON.stringify(PUBLIC_KEY.replaceAll('PUBLIC', 'PRIVATE')) },
    ],
    ['internet ingress', { ingress_settings: '"ALLOW_ALL"' }],
    ['the retired runtime nodejs20', { runtime: '"nodejs20"' }],
    ['an empty list of monitoring e-mails', { monitoring_emails: '[]' }],
    ['a retention period beyond 100 years', { retention_period_days: '36501' }],
    ['a /27 subnet for Direct VPC egress', { function_subnet_cidr: '"10.8.0.0/27"' }],
    ['a /24 connector range', { connector_cidr: '"10.8.0.0/24"' }],
    ['an unknown egress', { vpc_egress: '"internet"' }],
    ['a four-field cron', { backup_schedule: '"0 2 * *"' }],
    ['a restore URL valid past a week', { restore_url_minutes: '10081' }],
    ['a shrink ratio above 1', { shrink_warning_ratio: '1.5' }],
    ['no daily copy at all', { retention_daily_days: '0' }],
    ['a firewall priority that leaves no room for the deny rule', { agent_firewall_priority: '65533' }],
    ['a function source zip that was never staged', { function_source_zip: '"missing/function-source.zip"' }],
  ])('refuses %s', async (_what, inputs) => {
    const result = await tf().evaluate('var.project_id', inputs);
    expect(result.ok, 'terraform accepted it').toBe(false);
    expect(result.out).toContain('Invalid value for variable');
  });

  it.each([
    ['nodejs22 (the default)', {}],
    ['nodejs24', { runtime: '"nodejs24"' }],
    [
      'a pinned https agent',
      { agents: agent(`tls_cert_sha256 = "${'A'.repeat(64)}"`), targets: target('https://10.0.0.5:8443') },
    ],
  ])('accepts %s', async (_what, inputs) => {
    const result = await tf().evaluate('var.runtime', inputs);
    expect(result.ok, result.out).toBe(true);
  });

  it('grants delete (the overwriter role and its binding) only when allow_force_overwrite is true', async () => {
    const mod = await loadModule();
    const counts = [
      ['google_project_iam_custom_role', 'backup_overwriter'],
      ['google_storage_bucket_iam_member', 'function_overwriter'],
    ].map(([type = '', name = '']) => expression(resource(mod, type, name).count) ?? '');
    for (const count of counts) {
      expect((await tf().evaluate(count)).out).toBe('0');
      expect((await tf().evaluate(count, { allow_force_overwrite: 'true' })).out).toBe('1');
    }
  });
});
