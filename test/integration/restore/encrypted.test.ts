// Encrypted backups end to end, through the real agent, function and emulator with MariaDB and Debian's age: the
// object is named `….sql.gz.age`, holds age's format and names its recipients by fingerprint only; the admin opens it
// with gcloud, age and their own key alone; the agent restores it with its identity; a backup for a recipient the
// agent holds no identity of fails DECRYPT_WRONG_IDENTITY, alerted, its scratch database dropped; and a backup that
// would go out in clear, because the function and agent.json disagree, is refused with ENCRYPTION_REQUIRED.

import { spawn } from 'node:child_process';
import { createHash } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type RunningEmulator, startEmulator } from '../../../emulator/index.js';
import { createLocalSigner } from '../../../local/signer.js';
import { startTestAgent, type TestAgent, testSigningKey } from '../../helpers/agent.js';
import { type Gcloud, gcloudFor, gcloudMissingReason } from '../../helpers/gcloud.js';
import { type GmailStub, startGmailStub } from '../../helpers/gmail-stub.js';
import { checksums, type MariaDb, seedFixture, startMariaDb } from '../../helpers/mariadb.js';
import { mariadbDatabases, mariadbRestoreUser, passwordFile } from '../../helpers/restore-users.js';
import { runTool } from '../../helpers/stand-in-tools.js';
import {
  createBucket,
  deliveredSince,
  type FunctionHarness,
  type FunctionTarget,
  OAUTH,
  startFunction,
} from '../functions/harness.js';

const BUCKET = 'encrypted-backups';

let emulator: RunningEmulator;
let mariadb: MariaDb;
let gmail: GmailStub;
let agent: TestAgent;
let plainAgent: TestAgent;
let gcloud: Gcloud | undefined;
let dir: string;
let fn: FunctionHarness;
const harnesses: FunctionHarness[] = [];
const signer = createLocalSigner();
const signing = testSigningKey();
/** Identity files, and the recipients age-keygen -y gives for them. */
const keys = { agent: '', admin: '' };
const recipients = { agent: '', admin: '' };

async function startFn(targets: FunctionTarget[]): Promise<FunctionHarness> {
  const harness = await startFunction({
    emulator,
    gmail,
    bucket: BUCKET,
    key: agent.key,
    signer,
    targets,
    file: { pollBudgetSeconds: 120 },
  });
  harnesses.push(harness);
  return harness;
}

beforeAll(async () => {
  [emulator, mariadb, gmail] = await Promise.all([
    startEmulator({ signedUrlKeys: signer.trusted }),
    startMariaDb(),
    startGmailStub({ oauth: OAUTH }),
  ]);
  dir = await mkdtemp(join(tmpdir(), 'encrypted-'));
  for (const who of ['agent', 'admin'] as const) {
    keys[who] = join(dir, `${who}.key`);
    await runTool('age-keygen', ['-o', keys[who]]);
    recipients[who] = (await runTool('age-keygen', ['-y', keys[who]])).trim();
  }
  await createBucket(emulator.url, BUCKET);
  await Promise.all([seedFixture(mariadb, 'HospitalDB'), seedFixture(mariadb, 'Clinic')]);
  const restoreUser = await mariadbRestoreUser(mariadb, ['HospitalDB_restore', 'Clinic_restore']);
  const connection = {
    engine: 'mysql',
    host: '127.0.0.1',
    port: mariadb.port,
    user: mariadb.user,
    passwordFile: await passwordFile(dir, 'backup', mariadb.password),
    toolPath: '/usr/bin/mariadb-dump',
  };
  const restoreInto = async (scratch: string) => ({
    user: restoreUser.user,
    passwordFile: await passwordFile(dir, restoreUser.user, restoreUser.password),
    toolPath: '/usr/bin/mariadb',
    scratchDatabases: [scratch],
  });
  agent = await startTestAgent({
    targets: [
      {
        id: 'hospital',
        database: 'HospitalDB',
        ...connection,
        restore: await restoreInto('HospitalDB_restore'),
      },
      {
        id: 'clinic',
        database: 'Clinic',
        ...connection,
        // For the admin's key alone: the agent holds no identity that opens it.
        recipients: [recipients.admin],
        restore: await restoreInto('Clinic_restore'),
      },
    ] as never,
    uploads: { origin: emulator.url, buckets: [BUCKET] },
    config: {
      encryption: 'required',
      recipients: [recipients.agent, recipients.admin],
      identityFiles: [keys.agent],
    },
    signingKey: signing,
  });
  // An agent with no recipients, that does not require encryption either.
  plainAgent = await startTestAgent({
    targets: [{ id: 'lab', database: 'Lab', ...connection }] as never,
    uploads: { origin: emulator.url, buckets: [BUCKET] },
    signingKey: signing,
  });
  fn = await startFn([
    { id: 'hospital', database: 'HospitalDB', engine: 'mysql', agentUrl: agent.url, encryption: 'required' },
    { id: 'clinic', database: 'Clinic', engine: 'mysql', agentUrl: agent.url, encryption: 'required' },
  ]);
  const { status, report } = await fn.backup();
  expect(status, JSON.stringify(report)).toBe(200);
  if (!gcloudMissingReason()) gcloud = await gcloudFor(emulator.url);
}, 240_000);

afterAll(async () => {
  await Promise.all(harnesses.map((harness) => harness.close()));
  await Promise.all([agent?.remove(), plainAgent?.remove(), gcloud?.dispose()]);
  await Promise.all([emulator?.close(), mariadb?.stop(), gmail?.close()]);
  if (dir) await rm(dir, { recursive: true, force: true });
});

async function stored(database: string) {
  const [files] = await fn.storage.bucket(BUCKET).getFiles({ prefix: `${database}_` });
  expect(files).toHaveLength(1);
  return files[0] as NonNullable<(typeof files)[0]>;
}

const fingerprint = (recipient: string) =>
  `age-sha256:${createHash('sha256').update(recipient).digest('hex').slice(0, 16)}`;

describe('an encrypted backup', () => {
  it('is named .sql.gz.age, holds age’s format, and names its recipients by fingerprint, never a key', async () => {
    const file = await stored('HospitalDB');
    expect(file.name).toMatch(/^HospitalDB_\d{8}\.sql\.gz\.age$/);
    const [bytes] = await file.download();
    expect(bytes.subarray(0, 22).toString()).toBe('age-encryption.org/v1\n');
    const [metadata] = await file.getMetadata();
    expect(metadata.contentType).toBe('application/octet-stream');
    expect(metadata.metadata?.encryptedFor).toBe(
      [recipients.agent, recipients.admin].map(fingerprint).join(' '),
    );
    expect(JSON.stringify(metadata)).not.toMatch(/age1[0-9a-z]{20}|AGE-SECRET-KEY/);
    const clinic = await stored('Clinic');
    const [clinicMetadata] = await clinic.getMetadata();
    expect(clinicMetadata.metadata?.encryptedFor).toBe(fingerprint(recipients.admin));
  });

  it.skipIf(gcloudMissingReason() !== undefined)(
    'opens with the admin’s own tools: gcloud storage cat | age -d -i admin.key | gunzip | mariadb',
    async () => {
      const file = await stored('HospitalDB');
      await mariadb.exec('CREATE DATABASE `HospitalDB_admin`;');
      try {
        // Exactly the guide's line, run by a shell; the root password reaches mariadb through its environment.
        const line =
          'set -o pipefail; gcloud storage cat "$OBJECT" | age -d -i "$KEY" | gunzip | mariadb --socket="$SOCKET" -uroot HospitalDB_admin';
        const shell = spawn('bash', ['-c', line], {
          env: {
            ...process.env,
            CLOUDSDK_CONFIG: gcloud?.configDir,
            CLOUDSDK_CORE_DISABLE_PROMPTS: '1',
            OBJECT: `gs://${BUCKET}/${file.name}`,
            KEY: keys.admin,
            SOCKET: mariadb.socket,
            MYSQL_PWD: mariadb.rootPassword,
          },
          stdio: ['ignore', 'ignore', 'pipe'],
        });
        let stderr = '';
        shell.stderr.on('data', (chunk: Buffer) => {
          stderr += chunk.toString();
        });
        const code = await new Promise((resolve) => shell.on('close', resolve));
        expect(code, stderr).toBe(0);
        expect(await checksums(mariadb, 'HospitalDB_admin')).toEqual(await checksums(mariadb, 'HospitalDB'));
      } finally {
        await mariadb.exec('DROP DATABASE `HospitalDB_admin`;');
      }
    },
    120_000,
  );

  it('restores through the agent’s own identity, which the function never sees', async () => {
    const { status, report } = await fn.restore({ database: 'hospital', keep: 'true' });
    expect(status, JSON.stringify(report)).toBe(200);
    expect(report.targets[0]).toMatchObject({ outcome: 'restored', restore: { scratch: 'kept' } });
    try {
      expect(await checksums(mariadb, 'HospitalDB_restore')).toEqual(await checksums(mariadb, 'HospitalDB'));
    } finally {
      await mariadb.exec('DROP DATABASE `HospitalDB_restore`;');
    }
    const key = await runTool('cat', [keys.agent]);
    const secret = /AGE-SECRET-KEY-[0-9A-Z]+/.exec(key)?.[0] as string;
    expect(JSON.stringify(fn.logs)).not.toContain(secret);
    expect(JSON.stringify(report)).not.toContain(secret);
  });

  it('fails DECRYPT_WRONG_IDENTITY, alerted, its scratch database dropped, when made for keys the agent does not hold', async () => {
    const sent = gmail.messages.length;
    const { status, report } = await fn.restore({ database: 'clinic' });
    expect(status, JSON.stringify(report)).toBe(500);
    const [target] = report.targets;
    expect(target).toMatchObject({
      outcome: 'failed',
      error: { code: 'DECRYPT_WRONG_IDENTITY' },
      restore: { scratch: 'dropped' },
    });
    expect(target?.error?.stderrTail?.join('\n')).toMatch(/no identity matched any of the recipients/);
    const [mail] = await deliveredSince(gmail, sent);
    expect(mail?.text).toContain('error DECRYPT_WRONG_IDENTITY');
    expect(await mariadbDatabases(mariadb)).not.toContain('Clinic_restore');
  });
});

describe('status', () => {
  it('warns when the newest backup opens with no identity its agent holds, and not when it does', async () => {
    const { status, report } = await fn.status();
    expect(status, JSON.stringify(report)).toBe(200);
    const problems = (id: string) => report.targets.find((target) => target.targetId === id)?.problems ?? [];
    expect(problems('hospital').map((problem) => problem.code)).not.toContain('BACKUP_UNOPENABLE');
    const [locked] = problems('clinic').filter((problem) => problem.code === 'BACKUP_UNOPENABLE');
    expect(locked?.message).toContain(`is encrypted for ${fingerprint(recipients.admin)}, and no identity`);
    expect(JSON.stringify(report)).not.toMatch(/age1[0-9a-z]{20}|AGE-SECRET-KEY/);
  });
});

describe('a backup that would leave the VM in clear', () => {
  async function expectRefused(harness: FunctionHarness, targetId: string, message: RegExp) {
    const sent = gmail.messages.length;
    const { status, report } = await harness.backup();
    expect(status, JSON.stringify(report)).toBe(500);
    const [target] = report.targets;
    expect(target).toMatchObject({ targetId, outcome: 'failed', error: { code: 'ENCRYPTION_REQUIRED' } });
    expect(target?.error?.message).toMatch(message);
    const [mail] = await deliveredSince(gmail, sent);
    expect(mail?.text).toContain('error ENCRYPTION_REQUIRED');
  }

  it('is refused when the function requires encryption and agent.json lists no recipients: nothing is stored', async () => {
    const harness = await startFn([
      { id: 'lab', database: 'Lab', engine: 'mysql', agentUrl: plainAgent.url, encryption: 'required' },
    ]);
    await mariadb.exec('CREATE DATABASE IF NOT EXISTS `Lab`;');
    await expectRefused(harness, 'lab', /agent\.json lists no recipients for this target: add "recipients"/);
    const [files] = await fn.storage.bucket(BUCKET).getFiles({ prefix: 'Lab_' });
    expect(files).toEqual([]);
  });

  it('is refused when agent.json requires encryption and the function asks for a plain backup', async () => {
    const harness = await startFn([
      { id: 'hospital', database: 'HospitalDB', engine: 'mysql', agentUrl: agent.url, encryption: 'off' },
    ]);
    await expectRefused(
      harness,
      'hospital',
      /agent\.json requires encryption but the function asked for a plain backup/,
    );
    const [files] = await fn.storage.bucket(BUCKET).getFiles({ prefix: 'HospitalDB_' });
    expect(files.map((file) => file.name)).toEqual([expect.stringMatching(/\.sql\.gz\.age$/)]);
  });
});
