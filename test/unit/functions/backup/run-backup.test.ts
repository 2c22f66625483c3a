// The backup run's decisions, fast: a scripted agent, the in-memory emulator and a clock that moves when the run
// sleeps — the budget, a busy target, a race lost at finalize, a planted object, an agent that cannot be believed,
// a dump that shrank, an agent that refuses.
import { afterEach, describe, expect, it } from 'vitest';
import { BackupError } from '../../../../core/errors.js';
import { AgentError } from '../../../../functions/agent/agent-error.js';
import { runBackup } from '../../../../functions/backup/run-backup.js';
import { DUMP_BYTES_KEY } from '../../../../functions/object/shrink-check.js';
import { BUCKET, type RunFixture, sessionFor, startRunFixture } from '../run-fixture.js';
import { hashesOf, type JobScript, scriptedAgent } from '../scripted-agent.js';

const DUMP = Buffer.from('-- a compressed dump, as far as storage can tell\n'.repeat(50));
const fixtures: RunFixture[] = [];
afterEach(async () => {
  await Promise.all(fixtures.splice(0).map((fixture) => fixture.close()));
});

async function setUp(scripts: Record<string, JobScript>, env: Record<string, string> = {}) {
  const agent = scriptedAgent(scripts);
  const fixture = await startRunFixture(agent, env);
  fixtures.push(fixture);
  const run = (databases = 'a,b,c') =>
    runBackup(fixture.config, fixture.deps, { databases: databases.split(','), force: false, dryRun: false });
  return { agent, fixture, run };
}

const outcomes = (report: Awaited<ReturnType<typeof runBackup>>) =>
  Object.fromEntries(report.targets.map((target) => [target.targetId, target.outcome]));

describe('a run longer than its budget', () => {
  it('hands the agent every target as one ordered run up front, and leaves what is still going to verify', async () => {
    const { agent, fixture, run } = await setUp({
      a: { states: ['running'] },
      b: { states: ['queued'] },
      c: { states: ['queued'] },
    });
    const started = fixture.clock.now().getTime();
    const report = await run();
    expect(agent.runs).toHaveLength(1);
    expect(agent.runs[0]).toMatchObject({ concurrency: 1, onError: 'stop' });
    expect(agent.runs[0]?.jobs.map((job) => job.targetId)).toEqual(['a', 'b', 'c']);
    expect(outcomes(report)).toEqual({ a: 'running', b: 'running', c: 'running' });
    expect(report.targets[1]?.note).toContain('queued when the budget was spent');
    expect(report.status).toBe('ok');
    expect(fixture.clock.now().getTime() - started).toBe(60_000);
    expect(fixture.mails).toEqual([]);
  });

  it("reports the agent's stop-on-error: the failure and the skipped targets, with one alert", async () => {
    const { fixture, run } = await setUp({
      a: { states: ['running', 'failed'] },
      b: { states: ['queued', 'skipped'] },
      c: { states: ['queued', 'skipped'] },
    });
    const report = await run();
    expect(outcomes(report)).toEqual({ a: 'failed', b: 'skipped', c: 'skipped' });
    expect(report.status).toBe('failed');
    expect(fixture.mails).toHaveLength(1);
  });
});

describe('a target another run is already backing up', () => {
  it('attaches to the job writing the same object: its result, no second dump, no alert', async () => {
    const { agent, fixture, run } = await setUp({});
    const objectName = `a_${dateOf(fixture)}.sql.gz`;
    const uploadUri = await sessionFor(fixture, objectName, 'earlier-run', 'a');
    agent.hold(
      { targetId: 'a', jobId: 'held-1', runId: 'earlier-run', objectName },
      { states: ['running', 'succeeded'], bytes: DUMP },
      uploadUri,
    );
    const report = await run('a');
    expect(report.targets[0]).toMatchObject({ outcome: 'succeeded', jobId: 'held-1' });
    expect(agent.runs).toEqual([]);
    expect(fixture.events()).toContain('backup.attached');
    expect(fixture.mails).toEqual([]);
    const [meta] = await fixture.storage.bucket(BUCKET).file(objectName).getMetadata();
    expect(meta.metadata).toMatchObject({ runId: 'earlier-run', jobId: 'held-1' });
  });

  it('fails a target still busy with another object (JOB_CONFLICT) and backs up the others', async () => {
    const { agent, fixture, run } = await setUp({ b: { states: ['succeeded'], bytes: DUMP } });
    agent.hold(
      { targetId: 'a', jobId: 'yesterday-1', runId: 'yesterday', objectName: 'a_19990101.sql.gz' },
      { states: ['running'] },
    );
    const report = await run('a,b');
    expect(report.targets[0]).toMatchObject({ outcome: 'failed', error: { code: 'JOB_CONFLICT' } });
    expect(report.targets[0]?.error?.message).toContain(
      'still busy with job yesterday-1 writing a_19990101.sql.gz',
    );
    expect(report.targets[1]?.outcome).toBe('succeeded');
    expect(agent.runs.map((submitted) => submitted.jobs.map((job) => job.targetId))).toEqual([['b']]);
    expect(fixture.mails).toHaveLength(1);
  });
});

describe('an object that appears under the name while the run dumps', () => {
  it('is `exists` when another run of ours made it (the agent lost the race at finalize)', async () => {
    const scripts: Record<string, JobScript> = {};
    const { agent, fixture, run } = await setUp(scripts);
    const objectName = `a_${dateOf(fixture)}.sql.gz`;
    scripts.a = {
      states: ['failed'],
      errorCode: 'OBJECT_EXISTS',
      onFirstRead: async () => {
        await fixture.storage
          .bucket(BUCKET)
          .file(objectName)
          .save(DUMP, { resumable: false, metadata: { metadata: { runId: 'rival', targetId: 'a' } } });
        agent.record({ ...finished('rival-1', 'rival', objectName), ...hashesOf(DUMP) });
      },
    };
    const report = await run('a');
    expect(report.targets[0]).toMatchObject({ outcome: 'exists', jobId: 'rival-1' });
    expect(report.status).toBe('ok');
    expect(fixture.mails).toEqual([]);
  });

  it('fails with OBJECT_UNPROVEN, and alerts, when nobody of ours made it', async () => {
    const scripts: Record<string, JobScript> = {};
    const { fixture, run } = await setUp(scripts);
    const objectName = `a_${dateOf(fixture)}.sql.gz`;
    scripts.a = {
      states: ['failed'],
      errorCode: 'OBJECT_EXISTS',
      onFirstRead: async () => {
        await fixture.storage
          .bucket(BUCKET)
          .file(objectName)
          .save('not a backup', {
            resumable: false,
            metadata: { metadata: { sha256: 'ab', runId: 'made-up' } },
          });
      },
    };
    const report = await run('a');
    expect(report.targets[0]).toMatchObject({ outcome: 'failed', error: { code: 'OBJECT_UNPROVEN' } });
    expect(report.targets[0]?.error?.message).toContain('its agent knows no job of run made-up');
    expect(fixture.mails).toHaveLength(1);
  });

  it('planted before the run: a rerun does not take it for a backup', async () => {
    const { fixture, run } = await setUp({});
    const objectName = `a_${dateOf(fixture)}.sql.gz`;
    await fixture.storage
      .bucket(BUCKET)
      .file(objectName)
      .save('not a backup', { resumable: false, metadata: { metadata: { sha256: 'ab', checkedAt: 'x' } } });
    const report = await run('a');
    expect(report.targets[0]).toMatchObject({ outcome: 'failed', error: { code: 'OBJECT_UNPROVEN' } });
  });
});

describe('an agent that cannot be reached or believed', () => {
  it('keeps polling through an outage until the job ends', async () => {
    const agent = scriptedAgent({ a: { states: ['running', 'succeeded'], bytes: DUMP } });
    const fixture = await startRunFixture({
      ...agent,
      run: outageThen(agent.run, 2),
    });
    fixtures.push(fixture);
    const report = await runBackup(fixture.config, fixture.deps, {
      databases: ['a'],
      force: false,
      dryRun: false,
    });
    expect(report.targets[0]?.outcome).toBe('succeeded');
    expect(fixture.events().filter((event) => event === 'backup.poll-failed')).toHaveLength(2);
  });

  it('fails the job whose answers cannot be believed, rather than waiting out the budget', async () => {
    const agent = scriptedAgent({ a: { states: ['running'] } });
    const fixture = await startRunFixture({
      ...agent,
      run: async () => {
        throw new BackupError('AGENT_REJECTED', 'the agent gave an answer outside the protocol');
      },
    });
    fixtures.push(fixture);
    const started = fixture.clock.now().getTime();
    const report = await runBackup(fixture.config, fixture.deps, {
      databases: ['a'],
      force: false,
      dryRun: false,
    });
    expect(report.targets[0]).toMatchObject({ outcome: 'failed', error: { code: 'AGENT_REJECTED' } });
    expect(fixture.clock.now().getTime() - started).toBe(5000);
  });
});

describe('a backup that succeeded but looks wrong', () => {
  it('is a warning, alerted and kept, when its dump is under half the median of the last ones', async () => {
    const { fixture, run } = await setUp({ a: { states: ['succeeded'], bytes: DUMP } });
    const bucket = fixture.storage.bucket(BUCKET);
    for (const [date, size] of [
      ['20000101', 1_000_000],
      ['20000102', 900_000],
      ['20000103', 1_100_000],
    ] as const) {
      await bucket
        .file(`a_${date}.sql.gz`)
        .save('x', { resumable: false, metadata: { metadata: { [DUMP_BYTES_KEY]: String(size) } } });
    }
    const report = await run('a');
    expect(report.targets[0]).toMatchObject({ outcome: 'warning', error: { code: 'BACKUP_SHRANK' } });
    expect(report.targets[0]?.error?.message).toContain(
      `the dump is ${DUMP.length * 4} bytes, less than 50% of the median 1000000`,
    );
    expect(report.status).toBe('warning');
    expect(fixture.mails).toHaveLength(1);
    expect(fixture.logs.find((line) => line.event === 'backup.warning')).toMatchObject({ alerting: true });
    expect((await bucket.file(report.targets[0]?.objectName ?? '').exists())[0]).toBe(true);
  });

  it('is not judged without earlier backups, nor when the ratio is 0', async () => {
    const { run } = await setUp(
      { a: { states: ['succeeded'], bytes: DUMP } },
      { BACKUP_SHRINK_WARNING_RATIO: '0' },
    );
    expect((await run('a')).targets[0]?.outcome).toBe('succeeded');
  });
});

describe('an agent that refuses the run', () => {
  it('reports and logs who refused what: the host, the status, the agent code and the run as fields', async () => {
    const agent = scriptedAgent({ a: { states: ['running'] } });
    const context = { host: '10.0.0.5:8443', runId: 'run-x', status: 403, agentCode: 'DESTINATION_REFUSED' };
    const refused = new AgentError('AGENT_REJECTED', 'the agent at 10.0.0.5:8443 answered 403', context);
    const fixture = await startRunFixture({
      ...agent,
      submitRun: async () => {
        throw refused;
      },
    });
    fixtures.push(fixture);
    const report = await runBackup(fixture.config, fixture.deps, {
      databases: ['a'],
      force: false,
      dryRun: false,
    });
    expect(report.targets[0]).toMatchObject({
      outcome: 'failed',
      error: { code: 'AGENT_REJECTED', agent: context },
    });
    const failed = fixture.logs.find((line) => line.event === 'backup.failed');
    expect(failed).toMatchObject({
      errorCode: 'AGENT_REJECTED',
      agentHost: '10.0.0.5:8443',
      httpStatus: 403,
      agentCode: 'DESTINATION_REFUSED',
      agentRunId: 'run-x',
    });
  });
});

describe('a session the run will not use', () => {
  async function refusedRun(deleteStatus?: number) {
    const fixture = await startRunFixture({
      ...scriptedAgent({}),
      submitRun: async () => {
        throw new AgentError('AGENT_REJECTED', 'the agent at 10.0.0.5:8443 answered 403', {
          host: '10.0.0.5:8443',
        });
      },
    });
    fixtures.push(fixture);
    if (deleteStatus)
      fixture.emulator.faults.add({ method: 'DELETE', uploadType: 'resumable', status: deleteStatus });
    await runBackup(fixture.config, fixture.deps, { databases: ['a'], force: false, dryRun: false });
    return fixture.logs.filter((line) => line.event === 'backup.cancel-failed');
  }

  it('is cancelled, and a cancel Cloud Storage does not confirm with 499 is logged with its answer', async () => {
    expect(await refusedRun()).toEqual([]);
    const [unconfirmed, ...more] = await refusedRun(503);
    expect(more).toEqual([]);
    expect(unconfirmed).toMatchObject({
      object: expect.stringMatching(/^a_\d{8}\.sql\.gz$/),
      severity: 'WARNING',
    });
    expect(String(unconfirmed?.message)).toContain('Cloud Storage answered HTTP 503, not 499');
  });
});

function dateOf(fixture: RunFixture): string {
  return fixture.clock.now().toISOString().slice(0, 10).replaceAll('-', '');
}

function finished(jobId: string, runId: string, objectName: string) {
  return {
    jobId,
    runId,
    targetId: 'a',
    objectName,
    state: 'succeeded' as const,
    bytesRead: 1,
    bytesUploaded: 0,
    exitCodes: { dump: 0 },
    stderrTail: [],
  };
}

/** The agent's run reads, failing `times` times first as an unreachable agent does. */
function outageThen<T extends (...args: never[]) => Promise<unknown>>(read: T, times: number): T {
  let left = times;
  return (async (...args: Parameters<T>) => {
    if (left-- > 0)
      throw new BackupError('AGENT_UNREACHABLE', 'the agent at 10.0.0.5:8443 did not answer: ECONNREFUSED');
    return read(...args);
  }) as T;
}

describe('a target that requires encryption', () => {
  const encryptedTargets = {
    BACKUP_TARGETS: JSON.stringify(
      ['a', 'b', 'c'].map((id) => ({
        id,
        database: id,
        engine: 'postgres',
        agentUrl: 'https://10.0.0.5:8443',
        encryption: 'required',
      })),
    ),
  };

  it('names the object .sql.gz.age, asks the agent to encrypt, and records the fingerprints it reports', async () => {
    const { agent, fixture, run } = await setUp(
      { a: { states: ['succeeded'], bytes: DUMP, claim: { recipients: ['age-sha256:0123456789abcdef'] } } },
      encryptedTargets,
    );
    const report = await run('a');
    expect(outcomes(report)).toEqual({ a: 'succeeded' });
    expect(agent.runs[0]?.jobs[0]).toMatchObject({ encrypted: true });
    expect(agent.runs[0]?.jobs[0]?.objectName).toMatch(/^a_\d{8}\.sql\.gz\.age$/);
    const name = agent.runs[0]?.jobs[0]?.objectName as string;
    const [metadata] = await fixture.storage.bucket(BUCKET).file(name).getMetadata();
    expect(metadata.metadata?.encryptedFor).toBe('age-sha256:0123456789abcdef');
    expect(metadata.contentType).toBe('application/octet-stream');
  });

  it('refuses, CHECK_MISMATCH, an upload whose agent reports no recipients: plaintext under an encrypted name', async () => {
    const { fixture, run } = await setUp({ a: { states: ['succeeded'], bytes: DUMP } }, encryptedTargets);
    const report = await run('a');
    expect(outcomes(report)).toEqual({ a: 'failed' });
    expect(report.targets[0]?.error).toMatchObject({
      code: 'CHECK_MISMATCH',
      message: expect.stringContaining('the agent reported no recipients it encrypted for'),
    });
    expect(fixture.mails).toHaveLength(1);
  });
});
