// Terraform's validations against the function's own parser: each rule tried with values on both sides of its
// boundary, in terraform console and in parseFunctionConfig, so a value Terraform accepts never stops the function.
import { generateKeyPairSync } from 'node:crypto';
import { beforeAll, describe, expect, it } from 'vitest';
import { z } from 'zod';
import { backupExtension, COMPRESSIONS, ENGINE_NAMES } from '../../../core/formats.js';
import { parseFunctionConfig } from '../../../functions/config/parse.js';
import { hasTerraform, PUBLIC_KEY, useConsole } from './tf-console.js';

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

// encryption written out: Terraform sends its default, `required`, which the function would not assume.
const TARGET = {
  id: 'hospital',
  database: 'HospitalDB',
  engine: 'mysql',
  agentUrl: 'http://10.0.0.5:8443',
  encryption: 'required',
};

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

interface Value {
  readonly hcl: Record<string, string>;
  readonly env: Record<string, string>;
  /** What decides Terraform's answer when a plan-time precondition, not a validation, holds the rule. */
  /** A schedule's job, whose cron cron.tf checks, rather than a variable's validation. */
  readonly cron?: string;
}

/** A plain input and the variable it becomes, with the value Terraform would write. */
function plain(variable: string, env: string, value: string | number): Value {
  return {
    hcl: { [variable]: JSON.stringify(value) },
    env: { [env]: String(value) },
  };
}

/** Retired signing keys by id, as Terraform's map and the JSON object the function reads. */
function retired(keys: Record<string, string>): Value {
  return {
    hcl: { retired_signing_public_keys: JSON.stringify(keys) },
    env: { BACKUP_RETIRED_SIGNING_KEYS: JSON.stringify(keys) },
  };
}

/** A schedule's cron (the backup's by default): Terraform checks each in cron.tf, a precondition of its job. */
function cron(value: string, job = 'backup', variable = 'backup_schedule', env = 'BACKUP_SCHEDULE'): Value {
  return { ...plain(variable, env, value), cron: job };
}

/** One agent with one field changed (Terraform's names), and the BACKUP_AGENTS the function would read. */
function agent(change: Record<string, string>): Value {
  const tf = { url: TARGET.agentUrl, public_key_pem: PUBLIC_KEY, ...change };
  const names: Record<string, string> = {
    url: 'url',
    public_key_pem: 'publicKey',
    tls_ca_cert_pem: 'tlsCaCert',
    tls_cert_sha256: 'tlsCertSha256',
  };
  const hcl = Object.entries(tf).map(([key, v]) => `${key} = ${JSON.stringify(v)}`);
  return {
    hcl: {
      agents: `[{ ${hcl.join(', ')} }]`,
      targets: `[{ id = "a", database = "a", engine = "mysql", agentUrl = ${JSON.stringify(tf.url)} }]`,
    },
    env: {
      BACKUP_AGENTS: JSON.stringify([Object.fromEntries(Object.entries(tf).map(([k, v]) => [names[k], v]))]),
      BACKUP_TARGETS: JSON.stringify([{ ...TARGET, id: 'a', database: 'a', agentUrl: tf.url }]),
    },
  };
}

/** One agent's url (with agent_port, which Terraform asks the url to name), its target pointing at it. */
function agentUrl(url: string, port?: number): Value {
  const value = agent({ url });
  return port === undefined ? value : { ...value, hcl: { ...value.hcl, agent_port: String(port) } };
}

/** The alert recipients, as a Terraform list and as the comma-separated ALERT_RECIPIENTS the function reads. */
function recipients(...addresses: string[]): Value {
  return {
    hcl: { alert_recipients: JSON.stringify(addresses) },
    env: { ALERT_RECIPIENTS: addresses.join(',') },
  };
}

/** Two targets on two agents: the first one (HospitalDB, mysql) and `second`, both as Terraform and the function see them. */
function twoTargets(second: Record<string, unknown>): Value {
  const agents = ['http://10.0.0.5:8443', 'http://10.0.0.6:8443'];
  const targets = [TARGET, { ...TARGET, id: 'other', agentUrl: agents[1], ...second }];
  const hcl = (value: Record<string, unknown>) =>
    `{ ${Object.entries(value)
      .map(
        ([key, v]) =>
          `${key} = ${typeof v === 'object' ? hclObject(v as Record<string, unknown>) : JSON.stringify(v)}`,
      )
      .join(', ')} }`;
  return {
    hcl: {
      agents: `[${agents.map((url) => `{ url = "${url}", public_key_pem = ${JSON.stringify(PUBLIC_KEY)} }`).join(', ')}]`,
      targets: `[${targets.map(hcl).join(', ')}]`,
    },
    env: {
      BACKUP_AGENTS: JSON.stringify(agents.map((url) => ({ url, publicKey: PUBLIC_KEY }))),
      BACKUP_TARGETS: JSON.stringify(targets),
    },
  };
}

const RSA_PUBLIC_KEY = String(
  generateKeyPairSync('rsa', { modulusLength: 1024 }).publicKey.export({ type: 'spki', format: 'pem' }),
);
const PIN = 'ab'.repeat(32);
const CA = '-----BEGIN CERTIFICATE-----\nMIIB\n-----END CERTIFICATE-----\n';

type Case = readonly [what: string, value: Value];

const ACCEPTED: Case[] = [
  ['a 6-character project id', plain('project_id', 'GOOGLE_CLOUD_PROJECT', 'abc-12')],
  ['a 30-character project id', plain('project_id', 'GOOGLE_CLOUD_PROJECT', `p${'-'.repeat(28)}1`)],
  ['a 3-character bucket', plain('bucket_name', 'BACKUP_BUCKET', 'a-1')],
  ['a 63-character bucket', plain('bucket_name', 'BACKUP_BUCKET', `b${'_'.repeat(61)}1`)],
  ['concurrency 1', plain('concurrency', 'BACKUP_CONCURRENCY', 1)],
  ['concurrency 16', plain('concurrency', 'BACKUP_CONCURRENCY', 16)],
  ['poll budget 0', plain('poll_budget_seconds', 'BACKUP_POLL_BUDGET_SECONDS', 0)],
  ['poll budget 1740', plain('poll_budget_seconds', 'BACKUP_POLL_BUDGET_SECONDS', 1740)],
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
  ['a plain backup, opted out of', target({ encryption: 'off' })],
  ['a MySQL target restorable to a moment', target({ engine: 'mysql', pointInTime: true })],
  ['a recovery-point target of 1 minute', plain('rpo_minutes', 'BACKUP_RPO_MINUTES', 1)],
  ['a recovery-point target of a day', plain('rpo_minutes', 'BACKUP_RPO_MINUTES', 1440)],
  ["the binary-log shipping's", cron('*/10 * * * *', 'binlogs', 'binlog_schedule', 'BACKUP_BINLOG_SCHEDULE')],
  ['1 daily day', plain('retention_daily_days', 'BACKUP_RETENTION_DAILY_DAYS', 1)],
  ['31 daily days', plain('retention_daily_days', 'BACKUP_RETENTION_DAILY_DAYS', 31)],
  ['no weekly copies', plain('retention_weekly_weeks', 'BACKUP_RETENTION_WEEKLY_WEEKS', 0)],
  ['104 weekly weeks', plain('retention_weekly_weeks', 'BACKUP_RETENTION_WEEKLY_WEEKS', 104)],
  ['no monthly copies', plain('retention_monthly_months', 'BACKUP_RETENTION_MONTHLY_MONTHS', 0)],
  ['120 monthly months', plain('retention_monthly_months', 'BACKUP_RETENTION_MONTHLY_MONTHS', 120)],
  ['no yearly copies', plain('retention_yearly_years', 'BACKUP_RETENTION_YEARLY_YEARS', 0)],
  ['100 yearly years', plain('retention_yearly_years', 'BACKUP_RETENTION_YEARLY_YEARS', 100)],
  ['a shrink ratio of 0', plain('shrink_warning_ratio', 'BACKUP_SHRINK_WARNING_RATIO', 0)],
  ['a shrink ratio of 1', plain('shrink_warning_ratio', 'BACKUP_SHRINK_WARNING_RATIO', 1)],
  ['a restore URL for 1 minute', plain('restore_url_minutes', 'BACKUP_RESTORE_URL_MINUTES', 1)],
  ['a restore URL for a week', plain('restore_url_minutes', 'BACKUP_RESTORE_URL_MINUTES', 10080)],
  ['a retired signing key', retired({ 'backup-2024-01': PUBLIC_KEY })],
  ['the last minute of the year, Sunday as 7', cron('59 23 31 12 7')],
  ['weekdays by name', cron('0 2 * * mon-fri')],
  ['lists, ranges and steps', cron('0,30 1-5/2 */10 jan-jun 0-6')],
  [
    "the drill's, which status reads too",
    cron('30 8 * * sun', 'restore', 'drill_schedule', 'BACKUP_DRILL_SCHEDULE'),
  ],
  [
    "the deep check's",
    cron('0 7 1-7 * 6', 'deep-check', 'deep_check_schedule', 'BACKUP_DEEP_CHECK_SCHEDULE'),
  ],
  ['a pinned https agent', agent({ url: 'https://10.0.0.5:8443', tls_cert_sha256: PIN })],
  [
    'a pin written with colons',
    agent({ url: 'https://10.0.0.5:8443', tls_cert_sha256: PIN.replace(/(..)(?!$)/g, '$1:') }),
  ],
  [
    'an https agent with its own CA',
    agent({ url: 'https://10.0.0.5:8443', tls_ca_cert_pem: CA.replaceAll('\\n', '\n') }),
  ],
  ['an agent by DNS name', agentUrl('http://db-1.europe-west1-b.c.my-project-1.internal:8443')],
  ['the highest IPv4 address', agentUrl('http://255.255.255.255:8443')],
  ['an agent on port 65535', agentUrl('http://10.0.0.5:65535', 65535)],
  ['an agent on port 1', agentUrl('http://10.0.0.5:1', 1)],
  ['an https agent on its scheme port', agentUrl('https://10.0.0.5', 443)],
  ['a dotted recipient', recipients('first.last@example.com')],
  ["a recipient with ' and +", recipients("o'brien+backups@example.com")],
  ['a two-letter top-level domain', recipients('a@b.pt')],
  ['several recipients', recipients('a@example.com', 'b@example.org')],
  ['a dotted sender', plain('alert_sender', 'ALERT_SENDER', 'db.backups@example.com')],
  ['one database name twice, compressed two ways', twoTargets({ compression: { algorithm: 'zstd' } })],
  ['one database name twice, dumped two ways', twoTargets({ engine: 'mongodb' })],
];

const REFUSED: Case[] = [
  ['a 5-character project id', plain('project_id', 'GOOGLE_CLOUD_PROJECT', 'abc-1')],
  ['a 31-character project id', plain('project_id', 'GOOGLE_CLOUD_PROJECT', `p${'-'.repeat(29)}1`)],
  ['a project id ending in -', plain('project_id', 'GOOGLE_CLOUD_PROJECT', 'my-project-')],
  ['a 2-character bucket', plain('bucket_name', 'BACKUP_BUCKET', 'a1')],
  ['a 64-character bucket', plain('bucket_name', 'BACKUP_BUCKET', `b${'_'.repeat(62)}1`)],
  ['a bucket starting with -', plain('bucket_name', 'BACKUP_BUCKET', '-bucket')],
  ['concurrency 0', plain('concurrency', 'BACKUP_CONCURRENCY', 0)],
  ['concurrency 17', plain('concurrency', 'BACKUP_CONCURRENCY', 17)],
  ['concurrency 1.5', plain('concurrency', 'BACKUP_CONCURRENCY', 1.5)],
  ['poll budget -1', plain('poll_budget_seconds', 'BACKUP_POLL_BUDGET_SECONDS', -1)],
  ['poll budget 1741', plain('poll_budget_seconds', 'BACKUP_POLL_BUDGET_SECONDS', 1741)],
  ['poll budget 100.5', plain('poll_budget_seconds', 'BACKUP_POLL_BUDGET_SECONDS', 100.5)],
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
  ['encryption neither required nor off', target({ encryption: 'optional' })],
  ['point-in-time recovery of a PostgreSQL target', target({ engine: 'postgres', pointInTime: true })],
  ['a recovery-point target of 0 minutes', plain('rpo_minutes', 'BACKUP_RPO_MINUTES', 0)],
  ['a recovery-point target past a day', plain('rpo_minutes', 'BACKUP_RPO_MINUTES', 1441)],
  [
    "the binary-log shipping's minute 60",
    cron('60 * * * *', 'binlogs', 'binlog_schedule', 'BACKUP_BINLOG_SCHEDULE'),
  ],
  ['gzip level 10', target({ compression: { algorithm: 'gzip', level: 10 } })],
  ['no daily copies', plain('retention_daily_days', 'BACKUP_RETENTION_DAILY_DAYS', 0)],
  ['32 daily days', plain('retention_daily_days', 'BACKUP_RETENTION_DAILY_DAYS', 32)],
  ['7.5 daily days', plain('retention_daily_days', 'BACKUP_RETENTION_DAILY_DAYS', 7.5)],
  ['-1 weekly weeks', plain('retention_weekly_weeks', 'BACKUP_RETENTION_WEEKLY_WEEKS', -1)],
  ['105 weekly weeks', plain('retention_weekly_weeks', 'BACKUP_RETENTION_WEEKLY_WEEKS', 105)],
  ['121 monthly months', plain('retention_monthly_months', 'BACKUP_RETENTION_MONTHLY_MONTHS', 121)],
  ['101 yearly years', plain('retention_yearly_years', 'BACKUP_RETENTION_YEARLY_YEARS', 101)],
  ['a negative shrink ratio', plain('shrink_warning_ratio', 'BACKUP_SHRINK_WARNING_RATIO', -0.1)],
  ['a shrink ratio above 1', plain('shrink_warning_ratio', 'BACKUP_SHRINK_WARNING_RATIO', 1.1)],
  ['a restore URL for 0 minutes', plain('restore_url_minutes', 'BACKUP_RESTORE_URL_MINUTES', 0)],
  ['a restore URL past a week', plain('restore_url_minutes', 'BACKUP_RESTORE_URL_MINUTES', 10081)],
  ['a retired key under the current key’s id', retired({ 'backup-2025-01': PUBLIC_KEY })],
  ['a retired key that is not Ed25519', retired({ 'backup-2024-01': RSA_PUBLIC_KEY })],
  ['a retired key under an id with a space', retired({ 'backup 2024': PUBLIC_KEY })],
  ['minute 60', cron('60 2 * * *')],
  ["the drill's hour 24", cron('0 24 * * 0', 'restore', 'drill_schedule', 'BACKUP_DRILL_SCHEDULE')],
  [
    "the deep check's day of week 8",
    cron('0 7 * * 8', 'deep-check', 'deep_check_schedule', 'BACKUP_DEEP_CHECK_SCHEDULE'),
  ],
  ['hour 24', cron('0 24 * * *')],
  ['day of month 0', cron('0 0 0 * *')],
  ['month 13', cron('0 0 * 13 *')],
  ['day of week 8', cron('0 0 * * 8')],
  ['a backwards range', cron('5-1 * * * *')],
  ['a step of 0', cron('*/0 * * * *')],
  ['an unknown day name', cron('0 2 * * FOO')],
  ['a four-field cron', cron('0 2 * *')],
  ['an RSA key for the agent', agent({ public_key_pem: RSA_PUBLIC_KEY })],
  ['a pin of 63 hex digits', agent({ url: 'https://10.0.0.5:8443', tls_cert_sha256: PIN.slice(1) })],
  ['a CA that is not a certificate', agent({ url: 'https://10.0.0.5:8443', tls_ca_cert_pem: PUBLIC_KEY })],
  ['an agent on port 65536', agentUrl('http://10.0.0.5:65536', 65535)],
  ['an agent on port 70000', agentUrl('http://10.0.0.5:70000', 65535)],
  ['an agent url with an empty host', agentUrl('http://:8443')],
  ['an agent url without a host', agentUrl('http://')],
  ['a host ending in a number past 255', agentUrl('http://999.0.0.5:8443')],
  ['a recipient with an accent', recipients('josé@example.com')],
  ['a recipient with two dots in a row', recipients('a..b@example.com')],
  ['a recipient starting with a dot', recipients('.a@example.com')],
  ['a recipient ending in a dot', recipients('a.@example.com')],
  ['a one-letter top-level domain', recipients('a@example.c')],
  ['a domain starting with -', recipients('a@-example.com')],
  ['a bad address among good ones', recipients('a@example.com', 'b@@example.com')],
  ['a sender with an accent', plain('alert_sender', 'ALERT_SENDER', 'josé@example.com')],
  ['a sender with two dots in a row', plain('alert_sender', 'ALERT_SENDER', 'a..b@example.com')],
  ['one database written twice the same way on two VMs', twoTargets({})],
  ['gzip by default and gzip by name', twoTargets({ compression: { algorithm: 'gzip', level: 9 } })],
  ['MySQL and PostgreSQL dumps of one name', twoTargets({ engine: 'postgres' })],
];

/**
 * Values only Terraform refuses, and why it must: never the other way round, which would let an apply succeed
 * with a function that cannot start.
 */
const TERRAFORM_STRICTER: Case[] = [
  // Time zone names are case-insensitive to ICU, not to Cloud Scheduler, which reads the same time_zone.
  ['a time zone in the wrong case', plain('time_zone', 'BACKUP_TIME_ZONE', 'europe/lisbon')],
  // A bucket name with dots is a domain name, which Cloud Storage creates only for its verified owner.
  ['a bucket name with dots', plain('bucket_name', 'BACKUP_BUCKET', 'backups.example.com')],
  // Quartz's ? and L are read by the function's cron parser, not by Cloud Scheduler's unix-cron.
  ['a ? for the day of month', cron('0 2 ? * *')],
  ['L for the last day of the month', cron('0 2 L * *')],
  // The function calls the agent at its origin: a path in the url would be a second way to name one agent.
  ['an agent url with a path', agent({ url: 'http://10.0.0.5:8443/agent' })],
  // The firewall opens agent_port alone: any other port would leave the agent unreachable.
  ['an agent on another port than agent_port', agentUrl('http://10.0.0.5:9000')],
  ['an http agent without a port (80)', agentUrl('http://10.0.0.5')],
  // A leading zero makes the URL parser read the number as octal (010 is 8): another address than written.
  ['an IPv4 address with a leading zero', agentUrl('http://010.0.0.5:8443')],
  // The firewall rules are IPv4 ranges; an IPv6 agent could not be reached.
  ['an IPv6 agent', agentUrl('http://[fd00::5]:8443')],
  // Punycode is decoded by the URL parser, which refuses some of it; an internal agent needs none.
  ['a punycode host', agentUrl('http://xn--nxasmq6b.example:8443')],
];

describe.skipIf(!hasTerraform)('Terraform validations and the function parser', () => {
  const tf = useConsole();
  let settings: Record<string, string>;

  beforeAll(async () => {
    settings = await tf().json('local.function_settings');
  });

  /** Terraform's answer: a failed validation, or with a cron, what cron.tf finds wrong. */
  const terraformAccepts = async (value: Value) => {
    if (!value.cron) return tf().evaluate('var.project_id', value.hcl);
    const errors = await tf().evaluate(`jsonencode(local.cron_errors["${value.cron}"])`, value.hcl);
    return { ok: errors.ok && errors.out === '"[]"', out: errors.out };
  };

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
    const inTerraform = await terraformAccepts(value);
    expect(inTerraform.ok, inTerraform.out).toBe(true);
    const inFunction = functionAccepts(value.env);
    expect(inFunction.ok, inFunction.out).toBe(true);
  });

  it.each(REFUSED)('both refuse %s', async (_what, value) => {
    const inTerraform = await terraformAccepts(value);
    expect(inTerraform.ok, 'terraform accepted it').toBe(false);
    if (!value.cron) expect(inTerraform.out).toContain('Invalid value for variable');
    expect(functionAccepts(value.env).ok, 'the function accepted it').toBe(false);
  });

  it.each(TERRAFORM_STRICTER)('Terraform alone refuses %s', async (_what, value) => {
    const inTerraform = await terraformAccepts(value);
    expect(inTerraform.ok, 'terraform accepted it').toBe(false);
    expect(functionAccepts(value.env).ok).toBe(true);
  });

  it('accepts only time zones the function knows', async () => {
    const zones = await tf().json<string[]>('local.time_zones');
    expect(zones.length).toBeGreaterThan(400);
    const unknown = zones.filter((zone) => !functionAccepts({ BACKUP_TIME_ZONE: zone }).ok);
    expect(unknown).toEqual([]);
  });

  it("checks e-mail addresses with zod's own pattern, the one the function reads them with", async () => {
    expect(await tf().json('local.email_pattern')).toBe(z.regexes.email.source);
  });

  it("names each target's objects with the function's own extensions, to find two targets writing the same", async () => {
    const dumps = await tf().json<Record<string, string>>('local.dump_extensions');
    const compressions = await tf().json<Record<string, string>>('local.compression_extensions');
    expect(Object.keys(dumps).sort()).toEqual([...ENGINE_NAMES].sort());
    expect(Object.keys(compressions).sort()).toEqual([...COMPRESSIONS].sort());
    for (const engine of ENGINE_NAMES)
      for (const compression of COMPRESSIONS)
        expect(`${dumps[engine]}${compressions[compression]}`).toBe(backupExtension(engine, compression));
  });

  it('writes what Terraform accepts exactly as the function reads it', async () => {
    for (const [what, value] of ACCEPTED) {
      const written = await tf().json<Record<string, string>>('local.function_settings', value.hcl);
      for (const [name, expected] of Object.entries(value.env)) {
        // BACKUP_BUCKET is the bucket resource's name, which is bucket_name (bucket.test.ts).
        if (name === 'BACKUP_BUCKET') continue;
        const json = name === 'BACKUP_TARGETS' || name === 'BACKUP_AGENTS';
        const read = (text: string | undefined) => (json ? JSON.parse(text ?? '') : text);
        // The function reads a pin without its colons, in lower case, as Terraform writes it.
        const normalise = (v: unknown) =>
          JSON.parse(
            JSON.stringify(v).replace(
              /"tlsCertSha256":"([^"]+)"/g,
              (_m, pin: string) => `"tlsCertSha256":"${pin.replaceAll(':', '').toLowerCase()}"`,
            ),
          );
        expect(normalise(read(written[name])), `${what}: ${name}`).toEqual(normalise(read(expected)));
      }
    }
  });
});
