// One alert per failed scheduled execution: Cloud Scheduler's retries of it (same job name and schedule time)
// find the marker in the bucket and stay quiet; other executions and on-demand runs alert as before; and nobody
// but Cloud Scheduler's own identity can claim an execution's marker to silence its alert.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { STALE_SENDING_MS } from '../../../functions/alerts/alert-marker.js';
import { type Clock, systemClock } from '../../../functions/api.js';
import { testSigningKey } from '../../helpers/agent.js';
import { type GmailStub, startGmailStub } from '../../helpers/gmail-stub.js';
import { scheduledHeaders } from '../../helpers/scheduler.js';
import { freePort } from '../../helpers/stand-in-tools.js';
import {
  describeEachBackend,
  type StorageBackend,
  startStorageBackend,
} from '../../helpers/storage-backends.js';
import { createBucket, deliveredSince, type FunctionHarness, OAUTH, startFunction } from './harness.js';

const BUCKET = 'fn-dedupe';
const SCHEDULER = 'db-backup-sched@acme-test.iam.gserviceaccount.com';

const scheduled = (time: string, job = 'db-backup-nightly', caller = SCHEDULER) =>
  scheduledHeaders(caller, job, time);

/** The function's clock, set by each test to just after the execution it plays. */
let current = new Date('2024-05-01T02:05:00Z');
const clock: Clock = { now: () => current, sleep: systemClock.sleep };
const at = (time: string) => {
  current = new Date(Date.parse(time) + 5 * 60_000);
};

describeEachBackend((backend) =>
  describe('alerts of scheduled runs', () => {
    let emulator: StorageBackend;
    let gmail: GmailStub;
    let agentUrl: string;
    const harnesses: FunctionHarness[] = [];

    beforeAll(async () => {
      [emulator, gmail] = await Promise.all([startStorageBackend(backend), startGmailStub({ oauth: OAUTH })]);
      await createBucket(emulator.url, BUCKET);
      // Nothing listens there: every backup fails at once with AGENT_UNREACHABLE.
      agentUrl = `http://127.0.0.1:${await freePort()}`;
    });
    afterAll(async () => {
      await Promise.all(harnesses.map((harness) => harness.close()));
      await Promise.all([emulator?.close(), gmail?.close()]);
    });

    async function fn(prefix: string, ownClock: Clock = clock) {
      const harness = await startFunction({
        clock: ownClock,
        emulator,
        gmail,
        bucket: BUCKET,
        key: testSigningKey().key,
        targets: [{ id: 'hospital', database: 'HospitalDB', engine: 'mysql', agentUrl }],
        env: { BACKUP_PREFIX: prefix, BACKUP_SCHEDULER_SERVICE_ACCOUNT: SCHEDULER },
      });
      harnesses.push(harness);
      return harness;
    }

    const logsOf = (harness: FunctionHarness, runId: string) =>
      harness.logs.filter(
        (line) => (line['logging.googleapis.com/labels'] as { runId?: string })?.runId === runId,
      );
    const marker = async (harness: FunctionHarness, name: string) => {
      const file = harness.storage.bucket(BUCKET).file(name);
      const [[meta], [bytes]] = await Promise.all([file.getMetadata(), file.download()]);
      return {
        custom: meta.metadata ?? {},
        content: JSON.parse(bytes.toString()) as Record<string, unknown>,
      };
    };

    it('retries of one execution alert once; another execution and an on-demand run alert again', async () => {
      const harness = await fn('nightly/');
      const sent = gmail.messages.length;
      at('2024-05-01T02:00:00Z');
      const first = await harness.backup({}, scheduled('2024-05-01T02:00:00Z'));
      expect(first.status).toBe(500);
      expect(gmail.messages.length - sent).toBe(1);
      const name = 'nightly/_alerts/backup/20240501/db-backup-nightly/2024-05-01T02-00-00.000Z';
      const { custom, content } = await marker(harness, name);
      expect(custom).toMatchObject({ runId: first.report.runId, alertState: 'sent' });
      const [mail] = await deliveredSince(gmail, sent);
      expect(content).toMatchObject({ runId: first.report.runId, subject: mail?.subject, kind: 'backup' });

      // The same execution written with an offset instead of Z: still the same one.
      const retry = await harness.backup({}, scheduled('2024-05-01T02:00:00+00:00'));
      expect(retry.status).toBe(500);
      expect(retry.report.status).toBe('failed');
      expect(gmail.messages.length - sent).toBe(1);
      const suppressed = logsOf(harness, retry.report.runId).find(
        (line) => line.event === 'alert.suppressed',
      );
      expect(suppressed).toMatchObject({
        severity: 'NOTICE',
        alertedRunId: first.report.runId,
        marker: name,
      });
      expect(logsOf(harness, retry.report.runId).map((line) => line.event)).not.toContain('alert.sent');

      at('2024-05-02T02:00:00Z');
      const next = await harness.backup({}, scheduled('2024-05-02T02:00:00Z'));
      expect(next.status).toBe(500);
      expect(gmail.messages.length - sent).toBe(2);
      at('2024-05-01T02:00:00Z');

      const other = await harness.backup({}, scheduled('2024-05-01T02:00:00Z', 'db-backup-weekly'));
      expect(other.status).toBe(500);
      expect(gmail.messages.length - sent).toBe(3);

      for (let i = 0; i < 2; i++) expect((await harness.backup()).status).toBe(500);
      expect(gmail.messages.length - sent).toBe(5);
    });

    it('verify retries share one alert too', async () => {
      const harness = await fn('watch/');
      const sent = gmail.messages.length;
      at('2024-05-01T06:00:00Z');
      for (let i = 0; i < 2; i++) {
        const { status, report } = await harness.verify({}, scheduled('2024-05-01T06:00:00Z', 'db-verify'));
        expect(status).toBe(500);
        expect(report.targets[0]?.outcome).toBe('missing');
      }
      expect(gmail.messages.length - sent).toBe(1);
      expect(harness.logs.filter((line) => line.event === 'alert.suppressed')).toHaveLength(1);
    });

    it('a send that failed leaves the marker open: the next retry alerts', async () => {
      const harness = await fn('gmaildown/');
      at('2024-05-03T02:00:00Z');
      const headers = scheduled('2024-05-03T02:00:00Z');
      const sent = gmail.messages.length;
      gmail.failSends(503);
      try {
        expect((await harness.backup({}, headers)).status).toBe(500);
      } finally {
        gmail.failSends(null);
      }
      const name = 'gmaildown/_alerts/backup/20240503/db-backup-nightly/2024-05-03T02-00-00.000Z';
      expect((await marker(harness, name)).custom.alertState).toBe('failed');
      const retry = await harness.backup({}, headers);
      expect(gmail.messages.length - sent).toBe(1);
      expect((await marker(harness, name)).custom).toMatchObject({
        alertState: 'sent',
        runId: retry.report.runId,
      });
      await harness.backup({}, headers);
      expect(gmail.messages.length - sent).toBe(1);
    });

    // Fault injection is our emulator's alone.
    if (backend === 'emulator')
      it('two retries that find the same failed marker at once take it over once: one mail', async () => {
        const harness = await fn('racing/');
        at('2024-05-08T02:00:00Z');
        const headers = scheduled('2024-05-08T02:00:00Z');
        const sent = gmail.messages.length;
        gmail.failSends(503);
        try {
          await harness.backup({}, headers);
        } finally {
          gmail.failSends(null);
        }
        const name = 'racing/_alerts/backup/20240508/db-backup-nightly/2024-05-08T02-00-00.000Z';
        expect((await marker(harness, name)).custom.alertState).toBe('failed');
        // Both retries read the failed marker before either takeover lands: each patch is held for seconds.
        const takeovers = emulator.faults?.add({
          method: 'PATCH',
          match: /_alerts/,
          delayMs: 3000,
          times: 2,
        });
        const retries = await Promise.all([harness.backup({}, headers), harness.backup({}, headers)]);
        // Two takeovers, then the winner's record of its send: the race was really run.
        expect(takeovers?.matched).toBe(3);
        expect(gmail.messages.length - sent).toBe(1);
        const events = retries.map((retry) =>
          logsOf(harness, retry.report.runId)
            .map((line) => line.event)
            .filter((event) => event === 'alert.sent' || event === 'alert.suppressed'),
        );
        expect(events.flat().sort()).toEqual(['alert.sent', 'alert.suppressed']);
      });

    it('a marker left sending by a run that died is taken over once it is stale', async () => {
      // Real time here: staleness is measured against the time the storage service wrote the marker.
      const time = new Date(Math.floor(Date.now() / 1000) * 1000 - 60_000);
      const date = time.toISOString().slice(0, 10).replaceAll('-', '');
      const name = `crashed/_alerts/backup/${date}/db-backup-nightly/${time.toISOString().replaceAll(':', '-')}`;
      at(time.toISOString());
      const headers = scheduled(time.toISOString());
      const sent = gmail.messages.length;
      // What a run that died between claiming the marker and sending leaves behind.
      const harness = await fn('crashed/');
      await harness.storage
        .bucket(BUCKET)
        .file(name)
        .save('{}', {
          resumable: false,
          metadata: { metadata: { runId: 'run-died', alertState: 'sending' } },
        });

      await harness.backup({}, headers);
      expect(gmail.messages.length - sent).toBe(0);

      const later = new Date(Date.now() + STALE_SENDING_MS + 60_000);
      const afterwards = await fn('crashed/', { now: () => later, sleep: systemClock.sleep });
      const retry = await afterwards.backup({}, headers);
      expect(gmail.messages.length - sent).toBe(1);
      expect((await marker(afterwards, name)).custom).toMatchObject({
        alertState: 'sent',
        runId: retry.report.runId,
      });
    });

    // Fault injection is our emulator's alone.
    if (backend === 'emulator')
      it('a marker that cannot be written does not stop the alert', async () => {
        const harness = await fn('nomarker/');
        at('2024-05-04T02:00:00Z');
        const sent = gmail.messages.length;
        emulator.faults?.add({ method: 'POST', uploadType: 'multipart', status: 403 });
        const { status, report } = await harness.backup({}, scheduled('2024-05-04T02:00:00Z'));
        expect(status).toBe(500);
        expect(gmail.messages.length - sent).toBe(1);
        const warning = logsOf(harness, report.runId).find((line) => line.event === 'alert.marker-failed');
        expect(warning).toMatchObject({ severity: 'WARNING' });
        expect(String(warning?.message)).toContain('403');
      });

    it('header values cannot steer the marker out of its folder; an unusable time alerts without dedupe', async () => {
      const harness = await fn('tricks/');
      at('2024-05-05T02:00:00Z');
      const sent = gmail.messages.length;
      await harness.backup({}, scheduled('2024-05-05T02:00:00Z', '../../nightly/HospitalDB_20240505.sql.gz'));
      expect(gmail.messages.length - sent).toBe(1);
      const [files] = await harness.storage.bucket(BUCKET).getFiles({ prefix: 'tricks/' });
      expect(files.map((file) => file.name)).toEqual([
        'tricks/_alerts/backup/20240505/nightly-HospitalDB_20240505.sql.gz/2024-05-05T02-00-00.000Z',
        'tricks/_status/hospital',
      ]);
      const [nightly] = await harness.storage.bucket(BUCKET).getFiles({ prefix: 'nightly/' });
      // No backup's name was written: only the markers and status records of earlier tests' runs.
      const written = nightly.map((file) => file.name);
      expect(written.filter((n) => !n.includes('/_alerts/') && !n.includes('/_status/'))).toEqual([]);

      for (let i = 0; i < 2; i++) await harness.backup({}, scheduled('yesterday/../x'));
      expect(gmail.messages.length - sent).toBe(3);
      const [after] = await harness.storage.bucket(BUCKET).getFiles({ prefix: 'tricks/' });
      expect(after).toHaveLength(2);
    });

    it('an invoker that is not Cloud Scheduler cannot claim a night and silence its alert', async () => {
      const harness = await fn('claim/');
      const sent = gmail.messages.length;
      at('2024-05-06T12:00:00Z');
      // Tonight's execution, claimed in advance by an invoker with another identity, and by the scheduler's too.
      const forged = await harness.backup(
        {},
        scheduled('2024-05-07T02:00:00Z', 'db-backup-nightly', 'intruder@acme.com'),
      );
      const early = await harness.backup({}, scheduled('2024-05-07T02:00:00Z'));
      expect(gmail.messages.length - sent).toBe(2);
      const [claimed] = await harness.storage.bucket(BUCKET).getFiles({ prefix: 'claim/_alerts/' });
      expect(claimed).toEqual([]);
      for (const run of [forged, early]) {
        expect(logsOf(harness, run.report.runId).map((line) => line.event)).toContain('alert.sent');
      }
      // The night comes: its failure alerts, once.
      at('2024-05-07T02:00:00Z');
      await harness.backup({}, scheduled('2024-05-07T02:00:00Z'));
      await harness.backup({}, scheduled('2024-05-07T02:00:00Z'));
      expect(gmail.messages.length - sent).toBe(3);
    });
  }),
);
