// What the morning's verify does with a drill an earlier restore run left running: records one that ended (and
// alerts it if it failed), leaves one within the job time-out alone, cancels and alerts one stuck past it, and
// alerts one its agent no longer knows.
import { afterEach, describe, expect, it } from 'vitest';
import { drillSubmitted } from '../../../../functions/restore/drill-marks.js';
import { runVerify } from '../../../../functions/verify/run-verify.js';
import { attestObject, BUCKET, type RunFixture, startRunFixture } from '../run-fixture.js';
import { type RestoreScript, type ScriptedAgent, scriptedAgent } from '../scripted-agent.js';

const OBJECT = 'a_20261127.sql.gz';
const fixtures: RunFixture[] = [];
afterEach(async () => {
  await Promise.all(fixtures.splice(0).map((fixture) => fixture.close()));
});

/** A verified backup of `a` marked with a running drill: a restore its agent runs by `script`, or one it never had. */
async function setUp(script?: RestoreScript) {
  const agent: ScriptedAgent = scriptedAgent({}, script ? { a: script } : {}, 60);
  const fixture = await startRunFixture(agent);
  fixtures.push(fixture);
  const bytes = Buffer.from('-- a dump\n'.repeat(50));
  let drillJob = 'restore-gone';
  if (script) {
    const submitted = await agent.submitRestore('', {
      runId: 'drill-1',
      targetId: 'a',
      objectName: OBJECT,
      downloadUrl: 'https://storage.example/x',
      expected: { size: bytes.length, crc32c: 'AAAAAA==', md5: 'AAAAAAAAAAAAAAAAAAAAAA==' },
    });
    if (submitted.kind !== 'accepted') throw new Error('the drill was not accepted');
    drillJob = submitted.accepted.jobId;
  }
  const metadata = { checkedAt: 'x', ...drillSubmitted(drillJob, fixture.clock.now()) };
  await fixture.storage.bucket(BUCKET).file(OBJECT).save(bytes, { resumable: false, metadata: { metadata } });
  await attestObject(fixture, OBJECT);
  return {
    agent,
    fixture,
    drillJob,
    verify: () => runVerify(fixture.config, fixture.deps, { databases: ['a'] }),
    marks: async () => (await fixture.storage.bucket(BUCKET).file(OBJECT).getMetadata())[0].metadata ?? {},
    drillMails: () => fixture.mails.filter((mail) => mail.subject.startsWith('Restore drill')),
  };
}

describe('a drill left running, at the next verify', () => {
  it('that passed since is recorded as passed, and nothing is alerted', async () => {
    const { verify, marks, drillMails, drillJob } = await setUp({
      states: ['succeeded'],
      end: { durationMs: 4321 },
    });
    const report = await verify();
    expect(report.drills).toMatchObject({ kind: 'restore', drill: true, status: 'ok' });
    expect(report.drills?.targets).toEqual([
      expect.objectContaining({ targetId: 'a', outcome: 'restored', jobId: drillJob }),
    ]);
    expect(await marks()).toMatchObject({ drillState: 'passed', drillRecoveryMs: '4321' });
    expect(drillMails()).toEqual([]);
  });

  it('that failed since is recorded as failed and alerted that morning', async () => {
    const { fixture, verify, marks, drillMails } = await setUp({
      states: ['failed'],
      end: { errorCode: 'VALIDATION_FAILED', errorMessage: 'check "patients on record" failed' },
    });
    const report = await verify();
    expect(report.drills?.targets[0]).toMatchObject({
      outcome: 'failed',
      error: { code: 'VALIDATION_FAILED' },
    });
    expect(await marks()).toMatchObject({
      drillState: 'failed',
      drillFailed: expect.stringMatching(/^VALIDATION_FAILED: /),
    });
    expect(drillMails()).toHaveLength(1);
    expect(drillMails()[0]?.subject).toMatch(/^Restore drill failed: a \(/);
    expect(fixture.logs.find((line) => line.event === 'restore.failed')).toMatchObject({ alerting: true });
  });

  it('that still runs within the job time-out is left alone, and cancelled once past it', async () => {
    const { agent, fixture, verify, marks, drillMails, drillJob } = await setUp({ states: ['running'] });
    fixture.clock.advance(59 * 60_000);
    expect((await verify()).drills).toBeUndefined();
    expect(agent.cancelled).toEqual([]);
    expect(await marks()).toMatchObject({ drillState: 'running', drillJobId: drillJob });
    expect(drillMails()).toEqual([]);

    fixture.clock.advance(2 * 60_000);
    expect((await verify()).drills?.targets[0]).toMatchObject({ outcome: 'failed' });
    expect(agent.cancelled).toEqual([drillJob]);
  });

  it('that is stuck past the job time-out is cancelled on its agent, recorded, and alerted as stuck', async () => {
    const { agent, fixture, verify, marks, drillMails, drillJob } = await setUp({ states: ['running'] });
    fixture.clock.advance(61 * 60_000);
    const report = await verify();
    expect(agent.cancelled).toEqual([drillJob]);
    expect(report.drills).toMatchObject({ status: 'failed' });
    expect(report.drills?.targets[0]).toMatchObject({
      outcome: 'failed',
      jobId: drillJob,
      error: {
        code: 'JOB_TIMEOUT',
        message: expect.stringMatching(/is stuck, running for 61 minutes \(limit 60\)/),
      },
    });
    expect(await marks()).toMatchObject({
      drillState: 'failed',
      drillFailed: expect.stringMatching(/^JOB_TIMEOUT: /),
    });
    expect(drillMails()).toHaveLength(1);
    expect(drillMails()[0]?.text).toContain('error JOB_TIMEOUT');
    // Recorded as failed, it is not settled (nor alerted) again.
    expect((await verify()).drills).toBeUndefined();
    expect(drillMails()).toHaveLength(1);
  });

  it('that its agent no longer knows is recorded as failed and alerted', async () => {
    const { verify, marks, drillMails } = await setUp();
    const report = await verify();
    expect(report.drills?.targets[0]).toMatchObject({
      outcome: 'failed',
      jobId: 'restore-gone',
      error: { code: 'JOB_UNKNOWN' },
    });
    expect(await marks()).toMatchObject({
      drillState: 'failed',
      drillFailed: expect.stringMatching(/^JOB_UNKNOWN: /),
    });
    expect(drillMails()).toHaveLength(1);
  });
});
