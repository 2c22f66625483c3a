// Terraform's validations against the function's own parser: each rule tried with values on both sides of its
// boundary, in terraform console and in parseFunctionConfig, so a value Terraform accepts never stops the function.
import { generateKeyPairSync } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseFunctionConfig } from '../../../functions/config/parse.js';
import { type Console, hasTerraform, openConsole } from './tf-console.js';

const SIGNING_KEY = generateKeyPairSync('ed25519').privateKey.export({ type: 'pkcs8', format: 'pem' });

/** What Terraform does not set from its inputs: a resource's name, the scheduler's account and the secrets. */
const DEPLOYED = {
  BACKUP_BUCKET: 'my-project-1-db-backups',
  BACKUP_SCHEDULER_SERVICE_ACCOUNT: 'db-backup-sched@my-project-1.iam.gserviceaccount.com',
  BACKUP_SIGNING_KEY: String(SIGNING_KEY),
  GMAIL_CREDENTIALS: JSON.stringify({
    client_id: 'id',
    client_secret: 'not-a-secret',
    refresh_token: 'token',
  }),
};

const TARGET = { id: 'hospital', database: 'HospitalDB', engine: 'mysql', agentUrl: 'http://10.0.0.5:8443' };

/** One target with one field changed, as Terraform input and as the BACKUP_TARGETS the function would read. */
function target(change: Record<string, unknown>): {
  hcl: Record<string, string>;
  env: Record<string, string>;
} {
  const value = { ...TARGET, ...change };
  const hcl = Object.entries(value)
    .map(
      ([key, v]) =>
        `${key} = ${typeof v === 'object' ? hclObject(v as Record<string, unknown>) : JSON.stringify(v)}`,
    )
    .join(', ');
  return { hcl: { targets: `[{ ${hcl} }]` }, env: { BACKUP_TARGETS: JSON.stringify([value]) } };
}
const hclObject = (value: Record<string, unknown>) =>
  `{ ${Object.entries(value)
    .map(([key, v]) => `${key} = ${JSON.stringify(v)}`)
    .join(', ')} }`;

/** A plain input and the variable it becomes, with the value Terraform would write. */
function plain(variable: string, env: string, value: string | number) {
  return {
    hcl: { [variable]: JSON.stringify(value) },
    env: { [env]: String(value) },
  };
}

type Case = readonly [what: string, value: { hcl: Record<string, string>; env: Record<string, string> }];

const ACCEPTED: Case[] = [
  ['concurrency 1', plain('concurrency', 'BACKUP_CONCURRENCY', 1)],
  ['concurrency 16', plain('concurrency', 'BACKUP_CONCURRENCY', 16)],
  ['poll budget 0', plain('poll_budget_seconds', 'BACKUP_POLL_BUDGET_SECONDS', 0)],
  ['poll budget 1740', plain('poll_budget_seconds', 'BACKUP_POLL_BUDGET_SECONDS', 1740)],
  ['job timeout 1', plain('job_timeout_minutes', 'BACKUP_JOB_TIMEOUT_MINUTES', 1)],
  ['job timeout 10080', plain('job_timeout_minutes', 'BACKUP_JOB_TIMEOUT_MINUTES', 10080)],
  ['a one-letter key id', plain('signing_key_id', 'BACKUP_SIGNING_KEY_ID', 'k')],
  ['a 63-character key id', plain('signing_key_id', 'BACKUP_SIGNING_KEY_ID', `k${'.'.repeat(61)}k`)],
  ['on_error continue', plain('on_error', 'BACKUP_ON_ERROR', 'continue')],
  ['no prefix', plain('object_prefix', 'BACKUP_PREFIX', '')],
  ['a folder prefix', plain('object_prefix', 'BACKUP_PREFIX', 'prod/db.1_a-b/')],
  ['a prefix ending in a name', plain('object_prefix', 'BACKUP_PREFIX', 'prod/nightly-')],
  ['UTC', plain('time_zone', 'BACKUP_TIME_ZONE', 'UTC')],
  ['Europe/Lisbon', plain('time_zone', 'BACKUP_TIME_ZONE', 'Europe/Lisbon')],
  ['Asia/Kolkata', plain('time_zone', 'BACKUP_TIME_ZONE', 'Asia/Kolkata')],
  ['its older name Asia/Calcutta', plain('time_zone', 'BACKUP_TIME_ZONE', 'Asia/Calcutta')],
  ['a 63-character database name', target({ database: `D${'b'.repeat(62)}` })],
  ['a database name with . _ -', target({ database: 'a.b_c-d' })],
  ['a digit-first target id', target({ id: '1st' })],
  ['gzip level 1', target({ compression: { algorithm: 'gzip', level: 1 } })],
  ['gzip level 9', target({ compression: { algorithm: 'gzip', level: 9 } })],
  ['zstd level 19', target({ compression: { algorithm: 'zstd', level: 19 } })],
  ['every engine', target({ engine: 'sqlite' })],
];

const REFUSED: Case[] = [
  ['concurrency 0', plain('concurrency', 'BACKUP_CONCURRENCY', 0)],
  ['concurrency 17', plain('concurrency', 'BACKUP_CONCURRENCY', 17)],
  ['concurrency 1.5', plain('concurrency', 'BACKUP_CONCURRENCY', 1.5)],
  ['poll budget -1', plain('poll_budget_seconds', 'BACKUP_POLL_BUDGET_SECONDS', -1)],
  ['poll budget 1741', plain('poll_budget_seconds', 'BACKUP_POLL_BUDGET_SECONDS', 1741)],
  ['poll budget 100.5', plain('poll_budget_seconds', 'BACKUP_POLL_BUDGET_SECONDS', 100.5)],
  ['job timeout 0', plain('job_timeout_minutes', 'BACKUP_JOB_TIMEOUT_MINUTES', 0)],
  ['job timeout 10081', plain('job_timeout_minutes', 'BACKUP_JOB_TIMEOUT_MINUTES', 10081)],
  ['job timeout 30.5', plain('job_timeout_minutes', 'BACKUP_JOB_TIMEOUT_MINUTES', 30.5)],
  ['a 64-character key id', plain('signing_key_id', 'BACKUP_SIGNING_KEY_ID', 'k'.repeat(64))],
  ['a key id starting with .', plain('signing_key_id', 'BACKUP_SIGNING_KEY_ID', '.key')],
  ['a key id starting with -', plain('signing_key_id', 'BACKUP_SIGNING_KEY_ID', '-key')],
  ['a key id with a slash', plain('signing_key_id', 'BACKUP_SIGNING_KEY_ID', 'a/b')],
  ['on_error ignore', plain('on_error', 'BACKUP_ON_ERROR', 'ignore')],
  ['a prefix starting with /', plain('object_prefix', 'BACKUP_PREFIX', '/prod/')],
  ['a prefix with an empty folder', plain('object_prefix', 'BACKUP_PREFIX', 'a//b/')],
  ['a prefix with ..', plain('object_prefix', 'BACKUP_PREFIX', 'a/../')],
  ['a prefix with .', plain('object_prefix', 'BACKUP_PREFIX', './a/')],
  ['a prefix with a space', plain('object_prefix', 'BACKUP_PREFIX', 'my backups/')],
  ['an unknown time zone', plain('time_zone', 'BACKUP_TIME_ZONE', 'Mars/Olympus_Mons')],
  ['a 64-character database name', target({ database: `D${'b'.repeat(63)}` })],
  ['a database name starting with .', target({ database: '.HospitalDB' })],
  ['a database name starting with _', target({ database: '_HospitalDB' })],
  ['a target id starting with -', target({ id: '-hospital' })],
  ['a database name with a slash', target({ database: 'a/b' })],
  ['an unknown engine', target({ engine: 'oracle' })],
  ['gzip level 0', target({ compression: { algorithm: 'gzip', level: 0 } })],
  ['zstd level 20', target({ compression: { algorithm: 'zstd', level: 20 } })],
  ['zstd level 1.5', target({ compression: { algorithm: 'zstd', level: 1.5 } })],
  ['brotli', target({ compression: { algorithm: 'brotli' } })],
];

/**
 * Values only Terraform refuses, and why it must: never the other way round, which would let an apply succeed
 * with a function that cannot start.
 */
const TERRAFORM_STRICTER: Case[] = [
  // Time zone names are case-insensitive to ICU, not to Cloud Scheduler, which reads the same time_zone.
  ['a time zone in the wrong case', plain('time_zone', 'BACKUP_TIME_ZONE', 'europe/lisbon')],
  // gzip has nine levels; the function's schema still takes 1-19 for both algorithms and leaves gzip to refuse.
  ['gzip level 10', target({ compression: { algorithm: 'gzip', level: 10 } })],
];

describe.skipIf(!hasTerraform)('Terraform validations and the function parser', () => {
  let tf: Console;
  let settings: Record<string, string>;

  beforeAll(async () => {
    tf = await openConsole();
    settings = await tf.json('local.function_settings');
  });

  afterAll(async () => {
    await tf?.close();
  });

  /** Whether the function starts with Terraform's settings plus `env`. */
  const functionAccepts = (env: Record<string, string>) => {
    try {
      parseFunctionConfig({ ...settings, ...DEPLOYED, ...env });
      return { ok: true, out: '' };
    } catch (error) {
      return { ok: false, out: (error as Error).message };
    }
  };

  it('starts the function with the settings Terraform writes for valid inputs', () => {
    const result = functionAccepts({});
    expect(result.ok, result.out).toBe(true);
  });

  it.each(ACCEPTED)('both accept %s', async (_what, value) => {
    const inTerraform = await tf.evaluate('var.project_id', value.hcl);
    expect(inTerraform.ok, inTerraform.out).toBe(true);
    const inFunction = functionAccepts(value.env);
    expect(inFunction.ok, inFunction.out).toBe(true);
  });

  it.each(REFUSED)('both refuse %s', async (_what, value) => {
    const inTerraform = await tf.evaluate('var.project_id', value.hcl);
    expect(inTerraform.ok, 'terraform accepted it').toBe(false);
    expect(inTerraform.out).toContain('Invalid value for variable');
    expect(functionAccepts(value.env).ok, 'the function accepted it').toBe(false);
  });

  it.each(TERRAFORM_STRICTER)('Terraform alone refuses %s', async (_what, value) => {
    const inTerraform = await tf.evaluate('var.project_id', value.hcl);
    expect(inTerraform.ok, 'terraform accepted it').toBe(false);
    expect(functionAccepts(value.env).ok).toBe(true);
  });

  it('accepts only time zones the function knows', async () => {
    const zones = await tf.json<string[]>('local.time_zones');
    expect(zones.length).toBeGreaterThan(400);
    const unknown = zones.filter((zone) => !functionAccepts({ BACKUP_TIME_ZONE: zone }).ok);
    expect(unknown).toEqual([]);
  });

  it('writes what Terraform accepts exactly as the function reads it', async () => {
    for (const [, value] of ACCEPTED) {
      const written = await tf.json<Record<string, string>>('local.function_settings', value.hcl);
      const [name, expected] = Object.entries(value.env)[0] ?? [];
      if (name === 'BACKUP_TARGETS') {
        const parsed = JSON.parse(written[name] ?? '[]');
        expect(parsed).toEqual(JSON.parse(expected ?? ''));
      } else {
        expect(written[name ?? ''], name).toBe(expected);
      }
    }
  });
});
