// Restores that must fail, through the real agent, function and emulator with MariaDB: a corrupt object, a truncated
// one, a target its agent does not have, a restore tool that fails, a validation query that fails, an expired URL,
// a storage answer that redirects elsewhere. Each is reported with its code, alerted, logged on the VM, and leaves no
// scratch database behind. A download broken off mid-way is not a failure: it resumes with a Range request.

import { mkdtemp, rm } from 'node:fs/promises';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type RunningEmulator, startEmulator } from '../../../emulator/index.js';
import { createLocalSigner } from '../../../local/signer.js';
import { startTestAgent, type TestAgent, testSigningKey } from '../../helpers/agent.js';
import { type GmailStub, startGmailStub } from '../../helpers/gmail-stub.js';
import { type MariaDb, seedFixture, startMariaDb } from '../../helpers/mariadb.js';
import {
  MARIADB_RESTORE_PRIVILEGES,
  mariadbDatabases,
  mariadbRestoreUser,
  passwordFile,
} from '../../helpers/restore-users.js';
import { type StorageProxy, startStorageProxy } from '../../helpers/storage-proxy.js';
import {
  createBucket,
  deliveredSince,
  type FunctionHarness,
  type FunctionTarget,
  OAUTH,
  startFunction,
} from '../functions/harness.js';

const BUCKET = 'restore-failures';
const SCRATCH = ['HospitalDB_restore', 'HospitalDB_limited', 'Clinic_restore'];

let emulator: RunningEmulator;
let proxy: StorageProxy;
let mariadb: MariaDb;
let gmail: GmailStub;
let agent: TestAgent;
let stranger: TestAgent;
let dir: string;
/** How far ahead of the real time the emulator's clock runs. */
let skewMs = 0;
const harnesses: FunctionHarness[] = [];
let fn: FunctionHarness;
const signer = createLocalSigner();
const signing = testSigningKey();

async function startFn(targets: FunctionTarget[]): Promise<FunctionHarness> {
  const harness = await startFunction({
    emulator,
    gmail,
    bucket: BUCKET,
    key: agent.key,
    signer,
    storageUrl: proxy.url,
    targets,
    file: { pollBudgetSeconds: 120 },
  });
  harnesses.push(harness);
  return harness;
}

beforeAll(async () => {
  [emulator, mariadb, gmail] = await Promise.all([
    startEmulator({ now: () => new Date(Date.now() + skewMs), signedUrlKeys: signer.trusted }),
    startMariaDb(),
    startGmailStub({ oauth: OAUTH }),
  ]);
  proxy = await startStorageProxy(emulator.url);
  dir = await mkdtemp(join(tmpdir(), 'restore-failures-'));
  await createBucket(emulator.url, BUCKET);
  await Promise.all([seedFixture(mariadb, 'HospitalDB'), seedFixture(mariadb, 'Clinic')]);
  const full = await mariadbRestoreUser(mariadb, ['HospitalDB_restore', 'Clinic_restore']);
  // Everything but TRIGGER: the dump's CREATE TRIGGER fails half-way through the restore.
  const limited = await mariadbRestoreUser(
    mariadb,
    ['HospitalDB_limited'],
    'limited',
    MARIADB_RESTORE_PRIVILEGES.replace('TRIGGER, ', ''),
  );
  const connection = {
    engine: 'mysql',
    host: '127.0.0.1',
    port: mariadb.port,
    user: mariadb.user,
    passwordFile: await passwordFile(dir, 'backup', mariadb.password),
    toolPath: '/usr/bin/mariadb-dump',
  };
  const restoreAs = async (
    account: typeof full,
    scratch: string,
    check = 'SELECT COUNT(*) FROM patients',
  ) => ({
    user: account.user,
    passwordFile: await passwordFile(dir, account.user, account.password),
    toolPath: '/usr/bin/mariadb',
    scratchDatabases: [scratch],
    checks: [{ name: 'patients on record', query: check, expect: { atLeast: 1 } }],
  });
  agent = await startTestAgent({
    targets: [
      {
        id: 'hospital',
        database: 'HospitalDB',
        ...connection,
        restore: await restoreAs(full, 'HospitalDB_restore'),
      },
      {
        id: 'hospital-zstd',
        database: 'HospitalDB',
        ...connection,
        restore: await restoreAs(limited, 'HospitalDB_limited'),
      },
      {
        id: 'clinic',
        database: 'Clinic',
        ...connection,
        restore: await restoreAs(full, 'Clinic_restore', 'SELECT COUNT(*) FROM no_such_table'),
      },
    ] as never,
    uploads: { origin: proxy.url, buckets: [BUCKET], retryWindowMinutes: 0.05 },
    signingKey: signing,
  });
  // An agent that knows none of those targets, as after a config that went wrong.
  stranger = await startTestAgent({
    targets: [{ id: 'other', engine: 'sqlite', database: 'other', path: join(dir, 'other.db') }],
    uploads: { origin: proxy.url, buckets: [BUCKET] },
    signingKey: signing,
  });
  fn = await startFn([
    { id: 'hospital', database: 'HospitalDB', engine: 'mysql', agentUrl: agent.url },
    {
      id: 'hospital-zstd',
      database: 'HospitalDB',
      engine: 'mysql',
      agentUrl: agent.url,
      compression: { algorithm: 'zstd' },
    },
    { id: 'clinic', database: 'Clinic', engine: 'mysql', agentUrl: agent.url },
  ]);
  const { status, report } = await fn.backup();
  expect(status, JSON.stringify(report)).toBe(200);
}, 240_000);

afterAll(async () => {
  await Promise.all(harnesses.map((harness) => harness.close()));
  await Promise.all([agent?.remove(), stranger?.remove()]);
  await Promise.all([proxy?.close(), emulator?.close(), mariadb?.stop(), gmail?.close()]);
  if (dir) await rm(dir, { recursive: true, force: true });
});

const DATABASE: Record<string, string> = {
  hospital: 'HospitalDB',
  'hospital-zstd': 'HospitalDB',
  clinic: 'Clinic',
};

/** Restores `targetId` through `harness`, expecting a failure with `code`: reported, alerted, nothing left behind. */
async function expectFailure(targetId: string, code: string, harness = fn) {
  const sent = gmail.messages.length;
  const { status, report } = await harness.restore({ database: targetId });
  expect(status, JSON.stringify(report)).toBe(500);
  const [target] = report.targets;
  expect(target, JSON.stringify(target)).toMatchObject({ outcome: 'failed', error: { code } });
  expect(harness.logs.filter((line) => line.event === 'restore.failed').at(-1)).toMatchObject({
    alerting: true,
    errorCode: code,
  });
  const [mail] = await deliveredSince(gmail, sent);
  expect(mail?.subject).toMatch(new RegExp(`^Restore failed: ${DATABASE[targetId]} \\(`));
  expect(mail?.text).toContain(`error ${code}`);
  const databases = await mariadbDatabases(mariadb);
  for (const scratch of SCRATCH) expect(databases, scratch).not.toContain(scratch);
  return target;
}

const agentFailures = async () =>
  (await agent.logLines())
    .map((line) => JSON.parse(line))
    .filter((line) => line.event === 'job.restore-failed');

describe('a restore that must fail', () => {
  it('refuses a corrupt object (one byte changed on the way) with HASH_MISMATCH, and drops what went in', async () => {
    proxy.spoil({ corruptByteAt: 3000 });
    try {
      const target = await expectFailure('hospital', 'HASH_MISMATCH');
      expect(target?.error?.message).toMatch(/the bytes read are not the backup's/);
      expect(target?.error?.message).toMatch(
        /; to learn whether the stored backup itself is wrong, read it back: db-backup verify HospitalDB --date \d{4}-\d\d-\d\d --deep$/,
      );
      expect(target?.restore?.scratch).toBe('dropped');
    } finally {
      proxy.spoil(undefined);
    }
    expect((await agentFailures()).at(-1)).toMatchObject({
      level: 'error',
      errorCode: 'HASH_MISMATCH',
      scratch: 'dropped',
    });
  });

  it('refuses a truncated object with HASH_MISMATCH before reading it', async () => {
    proxy.spoil({ truncateTo: 1000 });
    try {
      const target = await expectFailure('hospital', 'HASH_MISMATCH');
      expect(target?.error?.message).toMatch(/the object holds 1000 bytes, the backup \d+/);
    } finally {
      proxy.spoil(undefined);
    }
  });

  it('reports a target its agent does not have, which creates nothing', async () => {
    const wrong = await startFn([
      { id: 'hospital', database: 'HospitalDB', engine: 'mysql', agentUrl: stranger.url },
    ]);
    const target = await expectFailure('hospital', 'AGENT_REJECTED', wrong);
    expect(target?.error?.message).toContain('TARGET_UNKNOWN');
  });

  it('reports a restore tool that fails (a privilege the restore user lacks), with the tool’s own words', async () => {
    const target = await expectFailure('hospital-zstd', 'RESTORE_FAILED');
    expect(target?.error?.message).toMatch(/mariadb exited with code 1/);
    expect(target?.error?.stderrTail?.join('\n')).toMatch(/TRIGGER command denied/);
    expect(target?.restore?.scratch).toBe('dropped');
  });

  it('reports a validation query that fails, naming the check', async () => {
    const target = await expectFailure('clinic', 'VALIDATION_FAILED');
    expect(target?.restore?.checks).toEqual([
      expect.objectContaining({
        name: 'patients on record',
        ok: false,
        error: expect.stringMatching(/no_such_table/),
      }),
    ]);
    expect(target?.restore?.tables.length).toBeGreaterThan(0);
  });

  it('follows no redirect: a storage answer of 302 to another server is DOWNLOAD_FAILED, and that server hears nothing', async () => {
    const heard: string[] = [];
    const elsewhere = createServer((req, res) => {
      heard.push(req.url ?? '');
      res.end('not the backup');
    });
    await new Promise<void>((resolve) => elsewhere.listen(0, '127.0.0.1', resolve));
    proxy.spoil({ redirectTo: `http://127.0.0.1:${(elsewhere.address() as AddressInfo).port}` });
    try {
      const target = await expectFailure('hospital', 'DOWNLOAD_FAILED');
      expect(target?.error?.message).toMatch(/HTTP 302, a redirect elsewhere, which is not followed/);
    } finally {
      proxy.spoil(undefined);
      await new Promise((resolve) => elsewhere.close(resolve));
    }
    expect(heard).toEqual([]);
    expect((await agentFailures()).at(-1)).toMatchObject({ errorCode: 'DOWNLOAD_FAILED' });
  });

  it('reports an expired signed URL with URL_EXPIRED', async () => {
    // Past the URL's week.
    skewMs = 8 * 24 * 60 * 60_000;
    try {
      await expectFailure('hospital', 'URL_EXPIRED');
    } finally {
      skewMs = 0;
    }
  });
});

describe('a download broken off mid-way', () => {
  it('resumes with a Range request from the byte it stopped at, and the restore succeeds', async () => {
    const before = proxy.reads.length;
    proxy.spoil({ breakAfter: 5000 });
    const { status, report } = await fn.restore({ database: 'hospital' });
    expect(status, JSON.stringify(report)).toBe(200);
    expect(report.targets[0]).toMatchObject({ outcome: 'restored', restore: { scratch: 'dropped' } });
    expect(proxy.reads.slice(before).map((read) => read.range)).toEqual([undefined, 'bytes=5000-']);
  });
});
