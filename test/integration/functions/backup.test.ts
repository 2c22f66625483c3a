// The function against a real agent, real MariaDB and PostgreSQL, each storage backend and the Gmail stub.
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gunzipSync } from 'node:zlib';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { AGENT_PATHS, isFinal, type JobStatus, runStatusSchema } from '../../../core/protocol.js';
import { systemClock } from '../../../functions/run/clock.js';
import { downloadObject, startTestAgent, type TestAgent, testSigningKey } from '../../helpers/agent.js';
import { type GmailStub, startGmailStub } from '../../helpers/gmail-stub.js';
import { type MariaDb, seedFixture, startMariaDb } from '../../helpers/mariadb.js';
import { type Postgres, seedPgFixture, startPostgres } from '../../helpers/postgres.js';
import { unavailable } from '../../helpers/provisioned.js';
import { freePort } from '../../helpers/stand-in-tools.js';
import {
  describeEachBackend,
  type StorageBackend,
  startStorageBackend,
} from '../../helpers/storage-backends.js';
import {
  ADMIN,
  createBucket,
  deliveredSince,
  type FunctionHarness,
  type FunctionTarget,
  OAUTH,
  outcomes,
  SENDER,
  startFunction,
} from './harness.js';

const BUCKET = 'fn-backups';
const today = new Date().toISOString().slice(0, 10).replaceAll('-', '');
/** A prefix's first backup is this year's copy, kept 5 years from the start of the year (UTC). */
const yearly = { class: 'yearly', keptUntil: `${Number(today.slice(0, 4)) + 5}-01-01T00:00:00.000Z` };

describeEachBackend((backend) =>
  describe.skipIf(unavailable('mariadb', 'postgres') !== undefined)('the backup function', () => {
    let emulator: StorageBackend;
    let mariadb: MariaDb;
    let postgres: Postgres;
    let gmail: GmailStub;
    let agent: TestAgent;
    let dir: string;
    const harnesses: FunctionHarness[] = [];

    const targets = () => ({
      hospital: { id: 'hospital', database: 'HospitalDB', engine: 'mysql', agentUrl: agent.url },
      app: { id: 'app', database: 'app', engine: 'postgres', agentUrl: agent.url },
      broken: { id: 'broken', database: 'Missing', engine: 'mysql', agentUrl: agent.url },
      shrinking: { id: 'shrinking', database: 'Shrinking', engine: 'mysql', agentUrl: agent.url },
    });

    async function fn(
      list: FunctionTarget[],
      prefix: string,
      more: Partial<Parameters<typeof startFunction>[0]> = {},
    ) {
      const harness = await startFunction({
        emulator,
        gmail,
        bucket: BUCKET,
        key: agent.key,
        targets: list,
        ...more,
        env: { BACKUP_PREFIX: prefix, ...more.env },
      });
      harnesses.push(harness);
      return harness;
    }

    /** The agent's jobs of a run once every one has ended, as the agent itself reports them. */
    async function finishedRun(runId: string): Promise<JobStatus[]> {
      for (let i = 0; i < 600; i++) {
        const run = await agent.request(AGENT_PATHS.run(runId));
        const jobs = runStatusSchema.parse(run.json).jobs;
        if (jobs.every((job) => isFinal(job.state))) return jobs;
        await new Promise((resolve) => setTimeout(resolve, 50));
      }
      throw new Error(`run ${runId} did not finish`);
    }

    const exists = async (harness: FunctionHarness, name: string) =>
      (await harness.storage.bucket(BUCKET).file(name).exists())[0];

    beforeAll(async () => {
      [emulator, mariadb, postgres, gmail] = await Promise.all([
        startStorageBackend(backend),
        // With binary logging, so that a backup's record and object carry where its dump starts.
        startMariaDb({ binlog: { serverId: 7 } }),
        startPostgres(),
        startGmailStub({ oauth: OAUTH }),
      ]);
      await createBucket(emulator.url, BUCKET);
      await Promise.all([seedFixture(mariadb, 'HospitalDB'), seedPgFixture(postgres, 'app')]);
      // A table whose rows outweigh the schema, so emptying it shows in the dump's size.
      await mariadb.exec(`SET SESSION max_recursive_iterations = 10000; CREATE DATABASE Shrinking; USE Shrinking; CREATE TABLE patient (id INT PRIMARY KEY, note VARCHAR(200));
      INSERT INTO patient WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < 5000)
      SELECT i, REPEAT('x', 150) FROM n;`);
      dir = await mkdtemp(join(tmpdir(), 'fn-backup-'));
      const mysqlPassword = join(dir, 'mysql.password');
      const pgPassword = join(dir, 'pg.password');
      await writeFile(mysqlPassword, `${mariadb.password}\n`, { mode: 0o600 });
      await writeFile(pgPassword, `${postgres.password}\n`, { mode: 0o600 });
      const mysql = {
        engine: 'mysql',
        host: '127.0.0.1',
        port: mariadb.port,
        user: mariadb.user,
        passwordFile: mysqlPassword,
      };
      agent = await startTestAgent({
        targets: [
          { id: 'hospital', database: 'HospitalDB', ...mysql, toolPath: '/usr/bin/mariadb-dump' },
          { id: 'broken', database: 'Missing', ...mysql, toolPath: '/usr/bin/mariadb-dump' },
          { id: 'shrinking', database: 'Shrinking', ...mysql, toolPath: '/usr/bin/mariadb-dump' },
          {
            id: 'app',
            engine: 'postgres',
            database: 'app',
            host: '127.0.0.1',
            port: postgres.port,
            user: postgres.user,
            passwordFile: pgPassword,
          },
        ] as never,
        uploads: { origin: emulator.url, buckets: [BUCKET] },
      });
    });
    afterAll(async () => {
      await Promise.all(harnesses.map((harness) => harness.close()));
      await agent?.remove();
      await Promise.all([emulator?.close(), mariadb?.stop(), postgres?.stop(), gmail?.close()]);
      if (dir) await rm(dir, { recursive: true, force: true });
    });

    it('backs up every target, checks and records each object, sends no alert; a rerun reports exists; force adds a generation', async () => {
      const sent = gmail.messages.length;
      const harness = await fn([targets().hospital, targets().app], 'all/');
      const { status, report } = await harness.backup();
      expect(status, JSON.stringify(report)).toBe(200);
      expect(outcomes(report)).toEqual({ hospital: 'succeeded', app: 'succeeded' });
      const hospitalName = `all/HospitalDB_${today}.sql.gz`;
      expect(report.targets.map((t) => t.objectName)).toEqual([hospitalName, `all/app_${today}.sql.gz`]);

      const [meta] = await harness.storage.bucket(BUCKET).file(hospitalName).getMetadata();
      expect(meta.metadata).toMatchObject({
        runId: report.runId,
        engine: 'mysql',
        database: 'HospitalDB',
        targetId: 'hospital',
        agentHost: new URL(agent.url).host,
        binlogFile: expect.stringMatching(/^binlog\.\d{6}$/),
        binlogPosition: expect.stringMatching(/^\d+$/),
        binlogServerId: '7',
        binlogGtidDomainId: '0',
      });
      expect(meta.metadata?.sha256).toMatch(/^[0-9a-f]{64}$/);
      expect(report.targets[0]?.retention).toEqual(yearly);
      // The instant, not its spelling: fake-gcs-server (like Google's testbench) leaves out zero milliseconds.
      expect(new Date(String(meta.customTime)).toISOString()).toBe(yearly.keptUntil);
      expect(meta.metadata?.retentionClass).toBe('yearly');
      const bytes = await downloadObject(emulator.url, BUCKET, hospitalName);
      expect(Number(meta.size)).toBe(bytes?.length);
      expect(gunzipSync(bytes ?? Buffer.alloc(0)).toString()).toContain('CREATE TABLE');
      expect(gmail.messages.length).toBe(sent);

      const events = harness.logs.map((line) => line.event);
      expect(events).toEqual(
        expect.arrayContaining(['run.started', 'backup.started', 'backup.succeeded', 'run.finished']),
      );
      const succeeded = harness.logs.find((line) => line.event === 'backup.succeeded');
      expect(succeeded).toMatchObject({
        severity: 'INFO',
        'logging.googleapis.com/labels': {
          runId: report.runId,
          database: 'HospitalDB',
          targetId: 'hospital',
        },
        object: hospitalName,
        bytes: bytes?.length,
      });
      expect(JSON.stringify(harness.logs)).not.toMatch(/upload_id|\/upload\/storage|PRIVATE KEY/);

      const rerun = await harness.backup();
      expect(rerun.status).toBe(200);
      expect(outcomes(rerun.report)).toEqual({ hospital: 'exists', app: 'exists' });
      expect(rerun.report.targets[0]?.retention).toEqual(yearly);
      const [after] = await harness.storage.bucket(BUCKET).file(hospitalName).getMetadata();
      expect(after.generation).toBe(meta.generation);
      expect(gmail.messages.length).toBe(sent);

      const forced = await harness.backup({ databases: 'HospitalDB', force: 'true' });
      expect(forced.status).toBe(200);
      expect(outcomes(forced.report)).toEqual({ hospital: 'succeeded' });
      const [versions] = await harness.storage
        .bucket(BUCKET)
        .getFiles({ prefix: hospitalName, versions: true });
      expect(versions.map((file) => String(file.metadata.generation))).toHaveLength(2);
      expect(forced.report.targets[0]?.generation).not.toBe(String(meta.generation));
    });

    it('dry run: the plan only, nothing written', async () => {
      const harness = await fn([targets().hospital, targets().app], 'dry/');
      const { status, report } = await harness.backup({ dryRun: 'true' });
      expect(status).toBe(200);
      expect(outcomes(report)).toEqual({ hospital: 'planned', app: 'planned' });
      expect(report.targets[0]).toMatchObject({ retention: yearly, kept: [] });
      expect(await exists(harness, `dry/HospitalDB_${today}.sql.gz`)).toBe(false);
    });

    it('retention: the classes of the backups there, a dry run writing nothing, 404 for an unknown database', async () => {
      const harness = await fn([targets().hospital], 'kept/');
      expect((await harness.backup()).status).toBe(200);
      const { status, report } = await harness.retention({ dryRun: 'true' });
      expect(status, JSON.stringify(report)).toBe(200);
      expect(report).toMatchObject({ kind: 'retention', dryRun: true, status: 'ok' });
      expect(report.targets[0]).toMatchObject({
        targetId: 'hospital',
        outcome: 'planned',
        backups: [
          { objectName: `kept/HospitalDB_${today}.sql.gz`, ...yearly, newest: true, action: 'unchanged' },
        ],
      });
      expect((await harness.retention()).report.targets[0]?.outcome).toBe('unchanged');
      const unknown = await harness.retention({ databases: 'Nope' });
      expect(unknown.status).toBe(404);
      expect(unknown.report).toMatchObject({ error: { code: 'TARGET_UNKNOWN' } });
    });

    it('stops at the first failure: the rest skipped, one alert, 500', async () => {
      const sent = gmail.messages.length;
      const harness = await fn([targets().broken, targets().hospital, targets().app], 'stop/');
      const { status, report } = await harness.backup();
      expect(status).toBe(500);
      expect(outcomes(report)).toEqual({ broken: 'failed', hospital: 'skipped', app: 'skipped' });
      expect(report.targets[0]?.error?.stderrTail?.join('\n')).toContain('Missing');
      expect(await exists(harness, `stop/Missing_${today}.sql.gz`)).toBe(false);
      expect(await exists(harness, `stop/HospitalDB_${today}.sql.gz`)).toBe(false);

      const mails = await deliveredSince(gmail, sent);
      expect(mails).toHaveLength(1);
      const [mail] = mails;
      expect(mail?.from?.text).toBe(SENDER);
      expect(Array.isArray(mail?.to) ? undefined : mail?.to?.text).toBe(ADMIN);
      const date = `${today.slice(0, 4)}-${today.slice(4, 6)}-${today.slice(6)}`;
      expect(mail?.subject).toBe(`Backup failed: Missing (${date})`);
      expect(mail?.text).toContain(`Run id:  ${report.runId}`);
      expect(mail?.text).toContain('- broken (database Missing, mysql): FAILED');
      expect(mail?.text).toContain(`error ${report.targets[0]?.error?.code}`);
      expect(mail?.text).toContain('| ');
      expect(mail?.text).toContain('Skipped (not attempted after the failure): HospitalDB, app.');
      expect(mail?.text).toContain(`labels.runId%3D%22${report.runId}%22`);
      const failed = harness.logs.find((line) => line.event === 'backup.failed');
      expect(failed).toMatchObject({ severity: 'ERROR', errorCode: report.targets[0]?.error?.code });
      expect(harness.logs.filter((line) => line.event === 'backup.skipped')).toHaveLength(2);
      expect(harness.logs.find((line) => line.event === 'run.failed')?.severity).toBe('ERROR');
    });

    it('onError "continue": later targets still run; one alert', async () => {
      const sent = gmail.messages.length;
      const harness = await fn([targets().broken, targets().app], 'continue/', {
        env: { BACKUP_ON_ERROR: 'continue' },
      });
      const { status, report } = await harness.backup();
      expect(status).toBe(500);
      expect(outcomes(report)).toEqual({ broken: 'failed', app: 'succeeded' });
      expect(await deliveredSince(gmail, sent)).toHaveLength(1);
    });

    it('an unreachable agent fails the target and leaves no object', async () => {
      const port = await freePort();
      const harness = await fn(
        [{ ...targets().hospital, agentUrl: `http://127.0.0.1:${port}` }],
        'unreachable/',
      );
      const { status, report } = await harness.backup();
      expect(status).toBe(500);
      expect(report.targets[0]).toMatchObject({ outcome: 'failed', error: { code: 'AGENT_UNREACHABLE' } });
      expect(await exists(harness, `unreachable/HospitalDB_${today}.sql.gz`)).toBe(false);
    });

    it('an agent that does not trust the signing key refuses the job', async () => {
      const harness = await fn([targets().hospital], 'wrongkey/', { key: testSigningKey('other-key').key });
      const { status, report } = await harness.backup();
      expect(status).toBe(500);
      expect(report.targets[0]).toMatchObject({ outcome: 'failed', error: { code: 'AGENT_REJECTED' } });
      expect(report.targets[0]?.error?.message).toContain('signature');
    });

    // Fault injection is our emulator's alone.
    if (backend === 'emulator')
      it('storage refusing the upload session fails the target', async () => {
        const harness = await fn([targets().hospital], 'refused/');
        emulator.faults?.add({ method: 'POST', uploadType: 'resumable', status: 403 });
        const { status, report } = await harness.backup();
        expect(status).toBe(500);
        expect(report.targets[0]).toMatchObject({ outcome: 'failed', error: { code: 'SESSION_REFUSED' } });
      });

    it('a spent budget reports running; verify later settles the object', async () => {
      const harness = await fn([targets().app], 'budget/', { file: { pollBudgetSeconds: 0 } });
      const { status, report } = await harness.backup();
      expect(status).toBe(200);
      expect(report.targets[0]).toMatchObject({ outcome: 'running' });
      const jobId = report.targets[0]?.jobId ?? '';
      expect((await agent.waitForJob(jobId)).state).toBe('succeeded');
      const name = `budget/app_${today}.sql.gz`;
      const [before] = await harness.storage.bucket(BUCKET).file(name).getMetadata();
      expect(before.metadata?.sha256).toBeUndefined();

      const check = await harness.verify();
      expect(check.status, JSON.stringify(check.report)).toBe(200);
      expect(check.report.targets[0]).toMatchObject({ outcome: 'settled', jobId });
      const [after] = await harness.storage.bucket(BUCKET).file(name).getMetadata();
      expect(after.metadata).toMatchObject({ runId: report.runId, jobId, engine: 'postgres' });
      expect(harness.logs.find((line) => line.event === 'verify.settled')).toBeDefined();
      expect(outcomes((await harness.verify()).report)).toEqual({ app: 'verified' });
    });

    it('verify alerts once on a missing backup and on a failed job', async () => {
      const sent = gmail.messages.length;
      const harness = await fn([targets().broken, targets().hospital], 'watch/');
      await harness.backup({ databases: 'Missing' });
      const before = gmail.messages.length;
      const { status, report } = await harness.verify();
      expect(status).toBe(500);
      expect(outcomes(report)).toEqual({ broken: 'failed', hospital: 'missing' });
      const mails = await deliveredSince(gmail, before);
      expect(mails).toHaveLength(1);
      expect(mails[0]?.subject).toContain('Backup check failed: Missing, HospitalDB');
      expect(gmail.messages.length - sent).toBe(2);
    });

    it('a run longer than its budget keeps its stop-on-error on the agent: the rest skipped, verify alerts', async () => {
      const harness = await fn([targets().broken, targets().hospital, targets().app], 'long/', {
        file: { pollBudgetSeconds: 0 },
      });
      const sent = gmail.messages.length;
      const { status, report } = await harness.backup();
      expect(status).toBe(200);
      expect(outcomes(report)).toEqual({ broken: 'running', hospital: 'running', app: 'running' });
      const jobs = await finishedRun(report.runId);
      expect(jobs.map((job) => [job.targetId, job.state])).toEqual([
        ['broken', 'failed'],
        ['hospital', 'skipped'],
        ['app', 'skipped'],
      ]);
      expect(await exists(harness, `long/HospitalDB_${today}.sql.gz`)).toBe(false);
      const check = await harness.verify();
      expect(check.status).toBe(500);
      expect(outcomes(check.report)).toEqual({ broken: 'failed', hospital: 'missing', app: 'missing' });
      expect(gmail.messages.length - sent).toBe(1);
    });

    it('a run longer than its budget keeps its order and concurrency on the agent', async () => {
      const harness = await fn([targets().broken, targets().hospital, targets().app], 'order/', {
        env: { BACKUP_ON_ERROR: 'continue' },
        file: { pollBudgetSeconds: 0 },
      });
      const { report } = await harness.backup();
      const jobs = await finishedRun(report.runId);
      expect(jobs.map((job) => [job.targetId, job.state])).toEqual([
        ['broken', 'failed'],
        ['hospital', 'succeeded'],
        ['app', 'succeeded'],
      ]);
      for (let i = 1; i < jobs.length; i++) {
        expect(Date.parse(jobs[i]?.startedAt ?? '')).toBeGreaterThanOrEqual(
          Date.parse(jobs[i - 1]?.endedAt ?? ''),
        );
      }
      expect(outcomes((await harness.verify()).report)).toEqual({
        broken: 'failed',
        hospital: 'settled',
        app: 'settled',
      });
    });

    it("two runs at once: the second attaches to the first one's jobs; both succeed, one dump, no alert", async () => {
      const harness = await fn([targets().hospital, targets().app], 'twice/');
      const sent = gmail.messages.length;
      const [first, second] = await Promise.all([harness.backup(), harness.backup()]);
      expect([first?.status, second?.status]).toEqual([200, 200]);
      expect(outcomes(first.report)).toEqual({ hospital: 'succeeded', app: 'succeeded' });
      expect(outcomes(second.report)).toEqual({ hospital: 'succeeded', app: 'succeeded' });
      expect(second.report.targets.map((target) => target.jobId)).toEqual(
        first.report.targets.map((target) => target.jobId),
      );
      expect(harness.logs.filter((line) => line.event === 'backup.attached')).toHaveLength(2);
      const [versions] = await harness.storage.bucket(BUCKET).getFiles({ prefix: 'twice/', versions: true });
      // The backups' generations, beside the targets' status records.
      expect(versions.filter((file) => !file.name.startsWith('twice/_status/'))).toHaveLength(2);
      expect(gmail.messages.length).toBe(sent);
    });

    it('a planted object is not taken for a backup, by the run or the watchdog, and both alert', async () => {
      const harness = await fn([targets().hospital], 'planted/');
      const name = `planted/HospitalDB_${today}.sql.gz`;
      await harness.storage
        .bucket(BUCKET)
        .file(name)
        .save('not a backup', {
          resumable: false,
          metadata: {
            metadata: { sha256: 'a'.repeat(64), checkedAt: new Date().toISOString(), runId: 'forged' },
          },
        });
      const sent = gmail.messages.length;
      const { status, report } = await harness.backup();
      expect(status).toBe(500);
      expect(report.targets[0]).toMatchObject({ outcome: 'failed', error: { code: 'OBJECT_UNPROVEN' } });
      const check = await harness.verify();
      expect(check.report.targets[0]).toMatchObject({
        outcome: 'failed',
        error: { code: 'OBJECT_UNPROVEN' },
      });
      const mails = await deliveredSince(gmail, sent);
      expect(mails).toHaveLength(2);
      expect(mails[0]?.text).toContain('OBJECT_UNPROVEN');
      expect(harness.logs.find((line) => line.errorCode === 'OBJECT_UNPROVEN')).toMatchObject({
        alerting: true,
      });
    });

    it('a database emptied between two nights: the second backup is kept, and reported as a warning', async () => {
      const yesterday = new Date(Date.now() - 86_400_000);
      const earlier = await fn([targets().shrinking], 'shrink/', {
        clock: { now: () => yesterday, sleep: systemClock.sleep },
      });
      const first = await earlier.backup();
      expect(outcomes(first.report), JSON.stringify(first.report.targets)).toEqual({
        shrinking: 'succeeded',
      });
      await mariadb.exec('DELETE FROM patient;', 'Shrinking');
      const harness = await fn([targets().shrinking], 'shrink/');
      const sent = gmail.messages.length;
      const { status, report } = await harness.backup();
      expect(status).toBe(200);
      expect(report.targets[0]).toMatchObject({ outcome: 'warning', error: { code: 'BACKUP_SHRANK' } });
      expect(report.targets[0]?.error?.message).toMatch(
        /less than 50% of the median \d+ of the last 1 backup/,
      );
      expect(await exists(harness, `shrink/Shrinking_${today}.sql.gz`)).toBe(true);
      const mails = await deliveredSince(gmail, sent);
      expect(mails).toHaveLength(1);
      expect(mails[0]?.text).toContain('WARNING');
    });

    it('Gmail down: the run still reports its outcome and the failed send is logged', async () => {
      const harness = await fn([targets().broken], 'gmaildown/');
      gmail.failSends(503);
      try {
        const { status, report } = await harness.backup();
        expect(status).toBe(500);
        expect(outcomes(report)).toEqual({ broken: 'failed' });
        const failed = harness.logs.find((line) => line.event === 'alert.failed');
        expect(failed).toMatchObject({ severity: 'ERROR', errorCode: 'ALERT_FAILED' });
        expect(String(failed?.message)).toContain('503');
        expect(JSON.stringify(harness.logs)).not.toMatch(/Bearer|client-secret-1|refresh-token-1/);
      } finally {
        gmail.failSends(null);
      }
    });
  }),
);
