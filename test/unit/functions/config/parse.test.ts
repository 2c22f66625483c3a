import { inspect } from 'node:util';
import { describe, expect, it } from 'vitest';
import { ConfigError } from '../../../../core/errors.js';
import { generateKeyPair } from '../../../../core/signing/index.js';
import { parseFunctionConfig, printableConfig } from '../../../../functions/config/parse.js';
import { validEnv } from '../config-env.js';

function configError(run: () => unknown): ConfigError {
  try {
    run();
  } catch (error) {
    expect(error).toBeInstanceOf(ConfigError);
    return error as ConfigError;
  }
  throw new Error('expected a ConfigError');
}

const RETIRED_PEM = generateKeyPair().publicKey.export({ type: 'spki', format: 'pem' }).toString();

const OAUTH = JSON.stringify({
  client_id: 'cid',
  client_secret: 'csecret-value',
  refresh_token: 'rtoken-value',
});

describe('parseFunctionConfig', () => {
  it('applies the defaults in one place and keeps the targets in order', () => {
    const config = parseFunctionConfig(validEnv());
    expect(config).toMatchObject({
      bucket: 'acme-backups',
      prefix: '',
      timeZone: 'UTC',
      onError: 'stop',
      concurrency: 1,
      pollBudgetSeconds: 1200,
      alerts: { recipients: [] },
    });
    expect(config.targets.map((t) => t.id)).toEqual(['hospital', 'app']);
    expect(config.targets[0]?.compression).toEqual({ algorithm: 'gzip' });
    expect(config.targets[1]?.compression).toEqual({ algorithm: 'zstd', level: 9 });
    expect(config.signingKey.id).toBe('fn-2025');
    expect(config.signingKey.privateKey.asymmetricKeyType).toBe('ed25519');
    expect(config.alerts.gmail).toBeUndefined();
    expect(config.retiredSigningKeys).toEqual({});
    expect(config.targets.map((t) => t.pointInTime)).toEqual([false, false]);
    expect(config.binlogSchedule).toBe('*/5 * * * *');
    expect(config.rpoMinutes).toBe(15);
  });

  it('reads pointInTime on a MySQL/MariaDB target, its shipping schedule and its recovery-point target', () => {
    const targets = [
      {
        id: 'h',
        database: 'HospitalDB',
        engine: 'mysql',
        agentUrl: 'https://10.0.0.5:8443',
        pointInTime: true,
      },
    ];
    const config = parseFunctionConfig(
      validEnv({
        BACKUP_TARGETS: JSON.stringify(targets),
        BACKUP_BINLOG_SCHEDULE: '*/10 * * * *',
        BACKUP_RPO_MINUTES: '30',
      }),
    );
    expect(config.targets[0]?.pointInTime).toBe(true);
    expect(config.binlogSchedule).toBe('*/10 * * * *');
    expect(config.rpoMinutes).toBe(30);
  });

  it('reads the retired signing keys by id, and prints none of them', () => {
    const config = parseFunctionConfig(
      validEnv({ BACKUP_RETIRED_SIGNING_KEYS: JSON.stringify({ 'fn-2024': RETIRED_PEM }) }),
    );
    expect(config.retiredSigningKeys['fn-2024']?.asymmetricKeyType).toBe('ed25519');
    expect(printableConfig(config).retiredSigningKeys).toEqual({ 'fn-2024': '[public key]' });
  });

  it('reads numbers, lists and the Gmail settings from their variables', () => {
    const config = parseFunctionConfig(
      validEnv({
        BACKUP_PREFIX: 'nightly/',
        BACKUP_TIME_ZONE: 'Europe/Lisbon',
        BACKUP_ON_ERROR: 'continue',
        BACKUP_CONCURRENCY: '2',
        BACKUP_POLL_BUDGET_SECONDS: '900',
        ALERT_RECIPIENTS: 'admin@example.com, ops@example.com',
        ALERT_SENDER: 'backups@example.com',
        GMAIL_AUTH: 'oauth',
        GMAIL_CREDENTIALS: OAUTH,
        GOOGLE_CLOUD_PROJECT: 'acme-prod',
      }),
    );
    expect(config).toMatchObject({
      prefix: 'nightly/',
      timeZone: 'Europe/Lisbon',
      onError: 'continue',
      concurrency: 2,
    });
    expect(config.pollBudgetSeconds).toBe(900);
    expect(config.alerts.recipients).toEqual(['admin@example.com', 'ops@example.com']);
    expect(config.alerts.gmail?.auth).toBe('oauth');
    expect(config.project).toBe('acme-prod');
  });

  it('takes fields from a JSON file, a set variable winning over it', () => {
    const env = validEnv({ BACKUP_BUCKET: undefined, BACKUP_CONCURRENCY: '3' });
    const config = parseFunctionConfig(env, {
      bucket: 'from-file',
      concurrency: 1,
      pollIntervalSeconds: 0.05,
    });
    expect(config.bucket).toBe('from-file');
    expect(config.concurrency).toBe(3);
    expect(config.pollIntervalSeconds).toBe(0.05);
  });

  it('treats an empty variable as unset', () => {
    expect(parseFunctionConfig(validEnv({ BACKUP_PREFIX: '' })).prefix).toBe('');
  });

  it.each([
    [{ BACKUP_BUCKET: undefined }, 'bucket (BACKUP_BUCKET): is required'],
    [{ BACKUP_AGENTS: undefined }, 'agents (BACKUP_AGENTS): is required'],
    [
      { BACKUP_TARGETS: '[{"id":"a","database":"a","engine":"mysql","agentUrl":"https://10.0.0.9:8443"}]' },
      'targets.0.agentUrl (BACKUP_TARGETS): https://10.0.0.9:8443 is not one of the agents (BACKUP_AGENTS)',
    ],
    [
      {
        BACKUP_TARGETS:
          '[{"id":"a","database":"a","engine":"mysql","agentUrl":"https://10.0.0.5:8443","compression":{"algorithm":"gzip","level":12}}]',
      },
      'targets.0.compression.level (BACKUP_TARGETS)',
    ],
    [{ BACKUP_SIGNING_KEY_ID: 'k'.repeat(64) }, 'signingKeyId (BACKUP_SIGNING_KEY_ID)'],
    [{ BACKUP_SIGNING_KEY_ID: '_key' }, 'signingKeyId (BACKUP_SIGNING_KEY_ID)'],
    [{ BACKUP_POLL_BUDGET_SECONDS: '12.5' }, 'pollBudgetSeconds (BACKUP_POLL_BUDGET_SECONDS)'],
    [{ BACKUP_SCHEDULE: '0 2 * *' }, 'schedule (BACKUP_SCHEDULE): must be a cron expression of 5 fields'],
    [{ BACKUP_SCHEDULE: '61 2 * * *' }, 'schedule (BACKUP_SCHEDULE): is not a valid cron expression'],
    [{ BACKUP_RETENTION_DAILY_DAYS: '0' }, 'retentionDailyDays (BACKUP_RETENTION_DAILY_DAYS)'],
    [{ BACKUP_SHRINK_WARNING_RATIO: '1.5' }, 'shrinkWarningRatio (BACKUP_SHRINK_WARNING_RATIO)'],
    [
      { BACKUP_AGENTS: '[{"url":"https://10.0.0.5:8443","publicKey":"x"}]' },
      'agents.0.publicKey (BACKUP_AGENTS)',
    ],
    [{ BACKUP_BUCKET: 'Not_A_Bucket!' }, 'bucket (BACKUP_BUCKET): must be a Cloud Storage bucket name'],
    [{ BACKUP_TARGETS: '[{' }, 'targets (BACKUP_TARGETS): is not valid JSON'],
    [{ BACKUP_TARGETS: '[]' }, 'targets (BACKUP_TARGETS): must list at least one target'],
    [
      { BACKUP_TARGETS: '[{"id":"a","database":"a","engine":"oracle","agentUrl":"https://h"}]' },
      'targets.0.engine (BACKUP_TARGETS)',
    ],
    [
      { BACKUP_TARGETS: '[{"id":"a","database":"a b","engine":"mysql","agentUrl":"https://h"}]' },
      'targets.0.database (BACKUP_TARGETS): must be 1 to 63 characters',
    ],
    [
      { BACKUP_TARGETS: '[{"id":"a","database":"a","engine":"mysql","agentUrl":"ftp://h"}]' },
      'targets.0.agentUrl (BACKUP_TARGETS)',
    ],
    [
      {
        BACKUP_TARGETS:
          '[{"id":"a","database":"x","engine":"mysql","agentUrl":"https://h"},{"id":"a","database":"x","engine":"postgres","agentUrl":"https://h"}]',
      },
      'targets.1.id (BACKUP_TARGETS): duplicate target id "a"',
    ],
    [
      {
        BACKUP_TARGETS:
          '[{"id":"a","database":"x","engine":"mysql","agentUrl":"https://h"},{"id":"b","database":"x","engine":"postgres","agentUrl":"https://h"}]',
      },
      'targets.1.database (BACKUP_TARGETS): two targets write x.sql.gz',
    ],
    [
      {
        BACKUP_TARGETS:
          '[{"id":"a","database":"x","engine":"postgres","agentUrl":"https://h","pointInTime":true}]',
      },
      'targets.0.pointInTime (BACKUP_TARGETS): point-in-time recovery ships MySQL/MariaDB binary logs only; a is postgres',
    ],
    [
      { BACKUP_BINLOG_SCHEDULE: '*/5 * * *' },
      'binlogSchedule (BACKUP_BINLOG_SCHEDULE): must be a cron expression',
    ],
    [{ BACKUP_RPO_MINUTES: '0' }, 'rpoMinutes (BACKUP_RPO_MINUTES)'],
    [{ BACKUP_RPO_MINUTES: '1441' }, 'rpoMinutes (BACKUP_RPO_MINUTES)'],
    [{ BACKUP_TIME_ZONE: 'Mars/Olympus' }, 'timeZone (BACKUP_TIME_ZONE): unknown time zone "Mars/Olympus"'],
    [{ BACKUP_PREFIX: '../x/' }, 'prefix (BACKUP_PREFIX)'],
    [{ BACKUP_ON_ERROR: 'ignore' }, 'onError (BACKUP_ON_ERROR)'],
    [{ BACKUP_CONCURRENCY: 'two' }, 'concurrency (BACKUP_CONCURRENCY)'],
    [{ BACKUP_POLL_BUDGET_SECONDS: '1800' }, 'pollBudgetSeconds (BACKUP_POLL_BUDGET_SECONDS)'],
    [
      { BACKUP_SIGNING_KEY: 'not a pem' },
      'signingKey (BACKUP_SIGNING_KEY): the signing private key is not a valid PEM key',
    ],
    [{ ALERT_RECIPIENTS: 'admin@example.com,nobody' }, 'alertRecipients.1 (ALERT_RECIPIENTS)'],
    [
      { BACKUP_RETIRED_SIGNING_KEYS: '{"fn-2024":"x"}' },
      'retiredSigningKeys.fn-2024 (BACKUP_RETIRED_SIGNING_KEYS)',
    ],
    [
      { BACKUP_RETIRED_SIGNING_KEYS: JSON.stringify({ 'fn-2025': RETIRED_PEM }) },
      'retiredSigningKeys (BACKUP_RETIRED_SIGNING_KEYS) holds fn-2025, the current key',
    ],
    [{ GMAIL_AUTH: 'oauth' }, 'GMAIL_AUTH=oauth needs GMAIL_CREDENTIALS, ALERT_SENDER, ALERT_RECIPIENTS'],
  ])('names the bad field: %j', (overrides, expected) => {
    expect(configError(() => parseFunctionConfig(validEnv(overrides))).message).toContain(expected);
  });

  it('names missing Gmail credential keys without echoing any value', () => {
    const error = configError(() =>
      parseFunctionConfig(
        validEnv({
          ALERT_RECIPIENTS: 'admin@example.com',
          ALERT_SENDER: 'backups@example.com',
          GMAIL_AUTH: 'service-account',
          GMAIL_CREDENTIALS: OAUTH,
        }),
      ),
    );
    expect(error.message).toContain('GMAIL_CREDENTIALS');
    expect(error.message).toContain('client_email');
    expect(error.message).not.toContain('csecret-value');
    expect(error.message).not.toContain('rtoken-value');
  });

  it('rejects a file that is not an object', () => {
    expect(configError(() => parseFunctionConfig(validEnv(), [1])).message).toContain('BACKUP_CONFIG_FILE');
  });

  it('masks the secrets however the configuration is printed', () => {
    const env = validEnv({
      ALERT_RECIPIENTS: 'admin@example.com',
      ALERT_SENDER: 'backups@example.com',
      GMAIL_AUTH: 'oauth',
      GMAIL_CREDENTIALS: OAUTH,
    });
    const config = parseFunctionConfig(env);
    const pemBody = (env.BACKUP_SIGNING_KEY ?? '').split('\n')[1] ?? '';
    for (const text of [
      JSON.stringify(printableConfig(config)),
      inspect(config, { depth: 10 }),
      JSON.stringify(config.alerts),
    ]) {
      expect(text).not.toContain('csecret-value');
      expect(text).not.toContain('rtoken-value');
      expect(text).not.toContain(pemBody);
    }
    expect(JSON.stringify(printableConfig(config))).toContain('[redacted]');
    expect(
      config.alerts.gmail?.auth === 'oauth' && config.alerts.gmail.credentials.reveal().refresh_token,
    ).toBe('rtoken-value');
  });
});
