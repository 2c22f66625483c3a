import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import type { ConfigFiles } from '../../../../agent/config/files.js';
import { parseAgentConfig, printableConfig, requiredToolPaths } from '../../../../agent/config/parse.js';
import { AGENT_DEFAULTS } from '../../../../agent/config/schema.js';
import { ConfigError } from '../../../../core/errors.js';
import { generateKeyPair, keyThumbprint } from '../../../../core/signing/index.js';

const publicPem = generateKeyPair().publicKey.export({ type: 'spki', format: 'pem' }).toString();
const answerKey = generateKeyPair().privateKey;
/** The answer-signing key's path in the agent.*.example.json files, and in every config here. */
const RESPONSE_KEY = '/etc/db-backup/keys/agent-response.key';

/** An in-memory file system: path → { text, mode }; the answer-signing key is always there, 0600. */
function memoryFiles(entries: Record<string, { text: string; mode?: number }>): ConfigFiles {
  const all: Record<string, { text: string; mode?: number }> = {
    [RESPONSE_KEY]: { text: answerKey.export({ type: 'pkcs8', format: 'pem' }).toString() },
    ...entries,
  };
  const get = (path: string) => {
    const entry = all[path];
    if (!entry) throw new Error(`ENOENT: no such file, open '${path}'`);
    return entry;
  };
  return { readFile: (path) => get(path).text, mode: (path) => 0o100000 | (get(path).mode ?? 0o600) };
}

/** What age-keygen writes: comments, then the identity. */
const IDENTITY =
  '# created: 2026-12-07T20:00:00Z\n# public key: age1ql3z7hjy54pw3hyww5ayyfg7zqgvc7w3j2elw8zmrj2kg5sfn9aqmcac8p\nAGE-SECRET-KEY-1QYQSZQGPQYQSZQGPQYQSZQGPQYQSZQGPQYQSZQGPQYQSZQGPQYQSZ5QYQSV\n';
const RECIPIENT = 'age1ql3z7hjy54pw3hyww5ayyfg7zqgvc7w3j2elw8zmrj2kg5sfn9aqmcac8p';

const minimal = {
  listen: { host: '10.0.0.5' },
  publicUrl: 'http://10.0.0.5:8443',
  responseKeyFile: RESPONSE_KEY,
  trustedKeys: { 'key-1': publicPem },
  targets: [{ id: 'app', engine: 'sqlite', database: 'app', path: '/srv/app.db' }],
  uploads: { buckets: ['acme-backups'] },
};

function expectConfigError(run: () => unknown, pattern: RegExp): void {
  try {
    run();
  } catch (error) {
    expect(error).toBeInstanceOf(ConfigError);
    expect((error as Error).message).toMatch(pattern);
    return;
  }
  throw new Error('expected a ConfigError');
}

describe('parseAgentConfig', () => {
  it('fills every default from the one table', () => {
    const config = parseAgentConfig(JSON.stringify(minimal), memoryFiles({}));
    expect(config.listen).toEqual({ host: '10.0.0.5', port: AGENT_DEFAULTS.port });
    expect(config.stateDir).toBe(AGENT_DEFAULTS.stateDir);
    expect(config.logDir).toBe(AGENT_DEFAULTS.logDir);
    expect(config.syslog).toBe(true);
    expect(config.chunkSize).toBe(AGENT_DEFAULTS.chunkSize);
    expect(config.maxBodyBytes).toBe(16 * 1024);
    expect(config.jobRetentionDays).toBe(90);
    expect(config.signature).toEqual({ maxAgeSeconds: 300, maxClockSkewSeconds: 30 });
    expect(config.trustedKeys.get('key-1')?.asymmetricKeyType).toBe('ed25519');
    expect(config.uploads).toEqual({
      origin: 'https://storage.googleapis.com',
      buckets: ['acme-backups'],
      allowedRanges: ['199.36.153.8/30', '199.36.153.4/30'],
      requestTimeoutSeconds: 120,
      retryWindowMinutes: 10,
    });
    expect(config.targets[0]).toMatchObject({ maxDurationMinutes: 180, stallMinutes: 15 });
  });

  it('refuses an allowed storage range that is not an address range, naming it', () => {
    for (const range of ['199.36.153.8', '199.36.153.8/33', 'storage.googleapis.com/30', '10.0.0.0/8/1']) {
      expectConfigError(
        () =>
          parseAgentConfig(
            { ...minimal, uploads: { buckets: ['b-1'], allowedRanges: [range] } },
            memoryFiles({}),
          ),
        /uploads\.allowedRanges\.0: must be an address range such as 199\.36\.153\.8\/30/,
      );
    }
    const ranges = ['127.0.0.0/8', '::1/128'];
    const config = parseAgentConfig(
      { ...minimal, uploads: { buckets: ['b-1'], allowedRanges: ranges } },
      memoryFiles({}),
    );
    expect(config.uploads.allowedRanges).toEqual(ranges);
  });

  it('requires the buckets the agent may upload to', () => {
    expectConfigError(() => parseAgentConfig({ ...minimal, uploads: undefined }, memoryFiles({})), /uploads/);
    expectConfigError(
      () => parseAgentConfig({ ...minimal, uploads: { buckets: [] } }, memoryFiles({})),
      /uploads\.buckets/,
    );
  });

  it('requires the listen host to be said explicitly', () => {
    expectConfigError(() => parseAgentConfig({ ...minimal, listen: {} }, memoryFiles({})), /listen\.host/);
  });

  it('requires publicUrl, the origin every signed request must name, as an origin', () => {
    const { publicUrl: _, ...withoutPublicUrl } = minimal;
    expectConfigError(() => parseAgentConfig(withoutPublicUrl, memoryFiles({})), /publicUrl/);
    expectConfigError(
      () => parseAgentConfig({ ...minimal, publicUrl: 'http://10.0.0.5:8443/agent' }, memoryFiles({})),
      /publicUrl: must be an origin with no path/,
    );
  });

  it('names the bad field of a target', () => {
    const targets = [{ id: 'app', engine: 'sqlite', database: 'bad name', path: '/srv/app.db' }];
    expectConfigError(
      () => parseAgentConfig({ ...minimal, targets }, memoryFiles({})),
      /targets\.0\.database/,
    );
  });

  it('refuses duplicate target ids, unknown fields and chunk sizes off the 256 KiB grid', () => {
    const twice = [minimal.targets[0], minimal.targets[0]];
    expectConfigError(
      () => parseAgentConfig({ ...minimal, targets: twice }, memoryFiles({})),
      /targets\.1\.id.*duplicate/,
    );
    expectConfigError(() => parseAgentConfig({ ...minimal, colour: 'red' }, memoryFiles({})), /colour/);
    expectConfigError(
      () => parseAgentConfig({ ...minimal, chunkSize: 300_000 }, memoryFiles({})),
      /chunkSize/,
    );
  });

  it('refuses options for a dump tool, which could switch its completion mark off', () => {
    const target = { ...minimal.targets[0], options: ['--skip-comments'] };
    expectConfigError(
      () => parseAgentConfig({ ...minimal, targets: [target] }, memoryFiles({})),
      /targets\.0.*options/,
    );
  });

  it('names an unreadable TLS file', () => {
    const tls = { certFile: '/etc/db-backup/tls/cert.pem', keyFile: '/etc/db-backup/tls/key.pem' };
    const files = memoryFiles({ [tls.certFile]: { text: 'cert' } });
    expectConfigError(() => parseAgentConfig({ ...minimal, tls }, files), /tls\.keyFile: cannot read/);
  });

  it('reports text that is not JSON', () => {
    expectConfigError(() => parseAgentConfig('{ listen', memoryFiles({})), /not valid JSON/);
  });

  it('loads a trusted key from a file path and refuses what is not an Ed25519 PEM', () => {
    const files = memoryFiles({ '/etc/db-backup/keys/k.pub': { text: publicPem, mode: 0o644 } });
    const config = parseAgentConfig({ ...minimal, trustedKeys: { k: '/etc/db-backup/keys/k.pub' } }, files);
    expect([...config.trustedKeys.keys()]).toEqual(['k']);
    expectConfigError(
      () => parseAgentConfig({ ...minimal, trustedKeys: { k: 'keys/k.pub' } }, files),
      /trustedKeys\.k/,
    );
    expectConfigError(
      () => parseAgentConfig({ ...minimal, trustedKeys: { k: '-----BEGIN PUBLIC KEY-----\nAAAA\n' } }, files),
      /trustedKeys\.k.*not a valid PEM/,
    );
    expectConfigError(() => parseAgentConfig({ ...minimal, trustedKeys: {} }, files), /trustedKeys/);
  });

  it('refuses a password file that group or others may read, without printing the password', () => {
    const target = { ...minimal.targets[0], passwordFile: '/etc/db-backup/secrets/app' };
    const open = memoryFiles({ '/etc/db-backup/secrets/app': { text: 's3cret-pass\n', mode: 0o640 } });
    try {
      parseAgentConfig({ ...minimal, targets: [target] }, open);
      throw new Error('expected a ConfigError');
    } catch (error) {
      expect((error as Error).message).toMatch(
        /targets\.0\.passwordFile.*\/etc\/db-backup\/secrets\/app.*0640/,
      );
      expect((error as Error).message).not.toContain('s3cret-pass');
    }
    const closed = memoryFiles({ '/etc/db-backup/secrets/app': { text: 's3cret-pass\n', mode: 0o600 } });
    expect(parseAgentConfig({ ...minimal, targets: [target] }, closed).targets[0]?.passwordFile).toBe(
      '/etc/db-backup/secrets/app',
    );
    expectConfigError(
      () => parseAgentConfig({ ...minimal, targets: [target] }, memoryFiles({})),
      /cannot read/,
    );
  });

  it.each([
    ['mysql', 'HospitalDB'],
    ['mongodb', 'MDBackoffice'],
  ])('accepts the example config of the %s VM shipped in agent/deploy', (engine, database) => {
    const text = readFileSync(
      join(import.meta.dirname, `../../../../agent/deploy/agent.${engine}.example.json`),
      'utf8',
    );
    const example = JSON.parse(text) as {
      trustedKeys: Record<string, string>;
      targets: { passwordFile: string; restore: { passwordFile: string } }[];
      identityFiles: string[];
    };
    const entries: Record<string, { text: string }> = {};
    for (const path of Object.values(example.trustedKeys)) entries[path] = { text: publicPem };
    for (const path of example.identityFiles) entries[path] = { text: IDENTITY };
    for (const target of example.targets) {
      entries[target.passwordFile] = { text: 'example-password' };
      entries[target.restore.passwordFile] = { text: 'example-restore-password' };
    }
    const config = parseAgentConfig(text, memoryFiles(entries));
    expect(config.targets.map((target) => target.engine)).toEqual([engine]);
    // Encrypted, and refused in clear, by default in what an admin copies.
    expect(config.encryption).toBe('required');
    expect(config.recipients).toHaveLength(2);
    expect(requiredToolPaths(config).agePath).toBe('age');
    expect(config.targets.map((target) => target.restore?.scratchDatabases)).toEqual([
      [`${database}_restore`],
    ]);
  });

  it('loads the answer-signing key, under its thumbprint, from a file only its owner may read', () => {
    expect(parseAgentConfig(minimal, memoryFiles({})).responseKey.id).toBe(keyThumbprint(answerKey));
    const { responseKeyFile: _, ...without } = minimal;
    expectConfigError(() => parseAgentConfig(without, memoryFiles({})), /responseKeyFile/);
    const text = answerKey.export({ type: 'pkcs8', format: 'pem' }).toString();
    expectConfigError(
      () => parseAgentConfig(minimal, memoryFiles({ [RESPONSE_KEY]: { text, mode: 0o640 } })),
      /responseKeyFile: \/etc\/db-backup\/keys\/agent-response\.key is readable by group or others/,
    );
    expectConfigError(
      () => parseAgentConfig(minimal, memoryFiles({ [RESPONSE_KEY]: { text: publicPem } })),
      /responseKeyFile: .*not a valid PEM key/,
    );
  });

  it('prints keys by id only and masks secret-looking values', () => {
    const config = parseAgentConfig(minimal, memoryFiles({}));
    const printed = printableConfig({ ...config, extraPassword: 'hunter22' } as typeof config);
    expect(printed).toContain('"key-1"');
    expect(printed).toContain(`"responseKey": "${keyThumbprint(answerKey)}"`);
    expect(printed).not.toContain('PRIVATE KEY');
    expect(printed).not.toContain('BEGIN PUBLIC KEY');
    expect(printed).not.toContain('hunter22');
  });
});

describe('encryption in agent.json', () => {
  it('is off, with no recipients or identities, and asks for no age, unless configured', () => {
    const config = parseAgentConfig(minimal, memoryFiles({}));
    expect(config).toMatchObject({ encryption: 'off', recipients: [], identityFiles: [] });
    expect(requiredToolPaths(config)).toEqual({ pvPath: 'pv', pigzPath: 'pigz', zstdPath: 'zstd' });
  });

  it('takes recipients for all targets or per target, and requires age once any is there', () => {
    const perTarget = { ...minimal, targets: [{ ...minimal.targets[0], recipients: [RECIPIENT] }] };
    const config = parseAgentConfig(perTarget, memoryFiles({}));
    expect(config.targets[0]?.recipients).toEqual([RECIPIENT]);
    expect(requiredToolPaths(config).agePath).toBe('age');
    expect(parseAgentConfig({ ...minimal, recipients: [RECIPIENT] }, memoryFiles({})).recipients).toEqual([
      RECIPIENT,
    ]);
  });

  it('refuses what is not an age recipient, naming the field', () => {
    expectConfigError(
      () => parseAgentConfig({ ...minimal, recipients: [IDENTITY.split('\n')[2]] }, memoryFiles({})),
      /recipients\.0: must be an age X25519 recipient/,
    );
    expectConfigError(
      () => parseAgentConfig({ ...minimal, recipients: ['ssh-ed25519 AAAA'] }, memoryFiles({})),
      /recipients\.0/,
    );
    expectConfigError(
      () => parseAgentConfig({ ...minimal, encryption: 'yes' }, memoryFiles({})),
      /encryption/,
    );
  });

  it('checks each identity file at start: there, only the agent’s to read, an identity — and never prints it', () => {
    const path = '/run/credentials/db-backup-agent.service/age-identity';
    const withIdentity = { ...minimal, identityFiles: [path] };
    const config = parseAgentConfig(withIdentity, memoryFiles({ [path]: { text: IDENTITY, mode: 0o400 } }));
    expect(printableConfig(config)).not.toContain('AGE-SECRET-KEY');
    expectConfigError(() => parseAgentConfig(withIdentity, memoryFiles({})), /identityFiles\.0: cannot read/);
    expectConfigError(
      () => parseAgentConfig(withIdentity, memoryFiles({ [path]: { text: IDENTITY, mode: 0o640 } })),
      /identityFiles\.0: .* is readable by group or others/,
    );
    expectConfigError(
      () => parseAgentConfig(withIdentity, memoryFiles({ [path]: { text: `${RECIPIENT}\n` } })),
      /identityFiles\.0: .* holds no age identity/,
    );
  });
});
