// The watchdog's decisions, fast: which day it checks, a backup settled after its run stopped waiting, a job that
// is still fine and one that is stuck (cancelled), what never got written, and what is not ours.
import { afterEach, describe, expect, it } from 'vitest';
import { runVerify } from '../../../../functions/verify/run-verify.js';
import { BUCKET, type RunFixture, startRunFixture } from '../run-fixture.js';
import { hashesOf, type JobScript, type ScriptedAgent, scriptedAgent } from '../scripted-agent.js';

const DUMP = Buffer.from('-- dump bytes\n'.repeat(40));
const fixtures: RunFixture[] = [];
afterEach(async () => {
  await Promise.all(fixtures.splice(0).map((fixture) => fixture.close()));
});

async function setUp(scripts: Record<string, JobScript> = {}, env: Record<string, string> = {}) {
  const agent: ScriptedAgent = scriptedAgent(scripts, {}, 60);
  // At noon, after the day's scheduled backup: the day verify checks is the clock's own, whenever the test runs.
  const noon = new Date(`${new Date().toISOString().slice(0, 10)}T12:00:00Z`);
  const fixture = await startRunFixture(agent, env, {}, noon);
  fixtures.push(fixture);
  const verify = () => runVerify(fixture.config, fixture.deps, { databases: ['a'] });
  return { agent, fixture, verify };
}

const today = (fixture: RunFixture) => fixture.clock.now().toISOString().slice(0, 10).replaceAll('-', '');

/** Plays a run that was given the session and left the job to the watchdog. */
async function leftRunning(agent: ScriptedAgent, fixture: RunFixture, script: JobScript) {
  const objectName = `a_${today(fixture)}.sql.gz`;
  const [uploadUri] = await fixture.storage
    .bucket(BUCKET)
    .file(objectName)
    .createResumableUpload({
      metadata: { metadata: { runId: 'night-1', targetId: 'a' } },
      preconditionOpts: { ifGenerationMatch: 0 },
    });
  agent.hold(
    { targetId: 'a', jobId: 'job-n', runId: 'night-1', objectName },
    script,
    uploadUri,
    fixture.clock.now(),
  );
  return objectName;
}

describe('the day it checks', () => {
  it("is the latest scheduled run's: at 00:30, last night's 23:30 backup", async () => {
    const { fixture, verify } = await setUp({}, { BACKUP_SCHEDULE: '30 23 * * *' });
    const midnight = new Date(`${fixture.clock.now().toISOString().slice(0, 10)}T00:30:00Z`);
    fixture.clock.advance(midnight.getTime() + 86_400_000 - fixture.clock.now().getTime());
    const report = await verify();
    const yesterday = new Date(midnight.getTime()).toISOString().slice(0, 10).replaceAll('-', '');
    expect(report.date).toBe(yesterday);
    expect(report.targets[0]?.objectName).toBe(`a_${yesterday}.sql.gz`);
  });
});

describe('a job that outlived its run', () => {
  it('is settled once it succeeded: the object checked and recorded, then verified', async () => {
    const { agent, fixture, verify } = await setUp();
    const name = await leftRunning(agent, fixture, { states: ['succeeded'], bytes: DUMP });
    // The job ends: its last chunk is sent and the object made.
    await agent.find('', 'a', name);
    const first = await verify();
    expect(first.targets[0]).toMatchObject({ outcome: 'settled', jobId: 'job-n' });
    const [meta] = await fixture.storage.bucket(BUCKET).file(name).getMetadata();
    expect(meta.metadata).toMatchObject({
      jobId: 'job-n',
      checkedAt: expect.any(String),
      sha256: hashesOf(DUMP).sha256,
    });
    expect((await verify()).targets[0]).toMatchObject({ outcome: 'verified', jobId: 'job-n' });
    expect(fixture.mails).toEqual([]);
  });

  it('is running within the job time-out, and no alert', async () => {
    const { agent, fixture, verify } = await setUp();
    await leftRunning(agent, fixture, { states: ['running'] });
    fixture.clock.advance(59 * 60_000);
    const report = await verify();
    expect(report.targets[0]).toMatchObject({ outcome: 'running', jobId: 'job-n' });
    expect(agent.cancelled).toEqual([]);
    expect(fixture.mails).toEqual([]);
  });

  it('is stuck past the job time-out: cancelled by a signed request, and alerted', async () => {
    const { agent, fixture, verify } = await setUp();
    await leftRunning(agent, fixture, { states: ['running'] });
    fixture.clock.advance(61 * 60_000);
    const report = await verify();
    expect(report.targets[0]).toMatchObject({
      outcome: 'stuck',
      jobId: 'job-n',
      error: { code: 'JOB_TIMEOUT' },
    });
    expect(agent.cancelled).toEqual(['job-n']);
    expect(fixture.mails).toHaveLength(1);
    expect(fixture.logs.find((line) => line.event === 'verify.stuck')).toMatchObject({ alerting: true });
  });
});

describe('what is not there, or not ours', () => {
  it('a job skipped after an earlier failure left the backup missing', async () => {
    const { agent, fixture, verify } = await setUp();
    await leftRunning(agent, fixture, { states: ['skipped'] });
    const report = await verify();
    expect(report.targets[0]).toMatchObject({ outcome: 'missing', jobId: 'job-n' });
    expect(report.targets[0]?.error?.message).toContain('was never written');
  });

  it('no object and no job is missing', async () => {
    const { verify } = await setUp();
    expect((await verify()).targets[0]).toMatchObject({ outcome: 'missing', error: { code: 'JOB_UNKNOWN' } });
  });

  it('a job that reported success without an object is a failure', async () => {
    const { agent, fixture, verify } = await setUp();
    await leftRunning(agent, fixture, { states: ['succeeded'] });
    const report = await verify();
    expect(report.targets[0]).toMatchObject({ outcome: 'failed', error: { code: 'CHECK_MISMATCH' } });
  });

  it("a job's own object made days after its date is not proven: the day it was created is part of the proof", async () => {
    const { agent, fixture } = await setUp();
    const day = fixture.clock.now();
    const date = today(fixture);
    const name = await leftRunning(agent, fixture, { states: ['succeeded'], bytes: DUMP });
    // The job's last chunk, and so the object, lands two days later: past the day and its hour of grace.
    fixture.clock.advance(2 * 86_400_000);
    await agent.find('', 'a', name);
    const report = await runVerify(fixture.config, fixture.deps, { databases: ['a'], day });
    expect(report.targets[0]).toMatchObject({ outcome: 'failed', error: { code: 'OBJECT_UNPROVEN' } });
    expect(report.targets[0]?.error?.message).toContain(`outside its date ${date}`);
    const [meta] = await fixture.storage.bucket(BUCKET).file(name).getMetadata();
    expect(meta.metadata?.checkedAt).toBeUndefined();
    expect(fixture.mails).toHaveLength(1);
  });

  it('a planted object is a failure saying what did not match, however it is marked', async () => {
    const { fixture, verify } = await setUp();
    await fixture.storage
      .bucket(BUCKET)
      .file(`a_${today(fixture)}.sql.gz`)
      .save('not a backup', {
        resumable: false,
        metadata: { metadata: { sha256: 'ab', checkedAt: 'x', runId: 'r' } },
      });
    const report = await verify();
    expect(report.targets[0]).toMatchObject({ outcome: 'failed', error: { code: 'OBJECT_UNPROVEN' } });
    expect(fixture.mails).toHaveLength(1);
  });
});
