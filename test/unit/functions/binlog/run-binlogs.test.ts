// The shipping run's decisions, fast, against the scripted agent and the emulator: which logs it ships and in which
// order, what it writes on each, where it stops, what it alerts, and that the next run picks up where one ended.
import { afterEach, describe, expect, it } from 'vitest';
import type { ShippedLogFacts } from '../../../../core/binlog-protocol.js';
import { AgentError } from '../../../../functions/agent/agent-error.js';
import { runBinlogs } from '../../../../functions/binlog/run-binlogs.js';
import { runList } from '../../../../functions/list/run-list.js';
import { attestationKeys, factsAttested } from '../../../../functions/object/attestation.js';
import { runRetention } from '../../../../functions/retention/run-retention.js';
import { runStatus } from '../../../../functions/status/run-status.js';
import { getObject } from '../../../../functions/storage/objects.js';
import { BUCKET, type RunFixture, startRunFixture } from '../run-fixture.js';
import { type BinlogScript, type LogScript, scriptedAgent } from '../scripted-agent.js';
import { plantedChain } from './planted-chain.js';

const START = new Date('2026-12-07T10:00:00Z');
const SERVER = { serverId: 7, gtidDomainId: 0 };
const fixtures: RunFixture[] = [];
afterEach(async () => {
  await Promise.all(fixtures.splice(0).map((fixture) => fixture.close()));
});

const file = (n: number) => `binlog.${String(n).padStart(6, '0')}`;

/** Log n: its bytes, and its events in the n-th five minutes of the morning, closed by a Rotate naming n+1. */
function log(n: number, change: Partial<LogScript> = {}): LogScript {
  const at = (minutes: number) => new Date(START.getTime() - 3_600_000 + minutes * 60_000).toISOString();
  const facts: Omit<ShippedLogFacts, 'file' | 'size'> = {
    serverId: SERVER.serverId,
    firstEventAt: at(5 * n - 4),
    lastEventAt: at(5 * n),
    ending: 'rotate',
    next: file(n + 1),
  };
  return { bytes: Buffer.from(`log ${n} `.repeat(50 + n)), facts, ...change };
}

const listed = (...numbers: number[]) => numbers.map((n) => ({ file: file(n), size: 1000 + n }));

interface Setup {
  script: BinlogScript;
  env?: Record<string, string>;
  target?: Record<string, unknown>;
}

async function setUp({ script, env = {}, target = {} }: Setup) {
  const agent = scriptedAgent({}, {}, undefined, { hospital: script });
  const targets = [
    {
      id: 'hospital',
      database: 'HospitalDB',
      engine: 'mysql',
      agentUrl: 'https://10.0.0.5:8443',
      pointInTime: true,
      ...target,
    },
    { id: 'app', database: 'app', engine: 'mysql', agentUrl: 'https://10.0.0.5:8443' },
  ];
  const fixture = await startRunFixture(
    agent,
    { BACKUP_TARGETS: JSON.stringify(targets), ...env },
    {},
    START,
  );
  fixtures.push(fixture);
  const bucket = fixture.storage.bucket(BUCKET);
  const run = (execution?: { jobName: string; scheduleTime: string }) =>
    runBinlogs(fixture.config, fixture.deps, {}, execution);
  const object = (n: number, ext = '.gz') => getObject(bucket, `binlog/HospitalDB/7/${file(n)}${ext}`);
  const names = async () => (await bucket.getFiles({ prefix: 'binlog/' }))[0].map((f) => f.name).sort();
  return { agent, fixture, bucket, run, object, names };
}

/** A checked backup of HospitalDB dated `date`, starting in `start` of server 7, attested as a run attests one. */
const backupStartingIn = (fixture: RunFixture, date: string, start: string) =>
  plantedChain(fixture, START).backup(date, {
    binlogFile: start,
    binlogPosition: '1311',
    binlogServerId: '7',
  });

describe('a shipping run', () => {
  it('ships every closed log oldest first when no backup records a position, each checked and attested', async () => {
    const logs = { [file(1)]: log(1), [file(2)]: log(2), [file(3)]: log(3) };
    const { agent, fixture, run, object } = await setUp({
      script: { closed: [{ server: SERVER, logs: listed(1, 2, 3) }], logs },
    });
    const report = await run();
    expect(report).toMatchObject({ kind: 'binlogs', status: 'ok', counts: { shipped: 1 } });
    expect(report.targets).toHaveLength(1);
    expect(report.targets[0]).toMatchObject({
      targetId: 'hospital',
      objectName: 'binlog/HospitalDB/7/',
      outcome: 'shipped',
      binlogs: { serverId: 7, shipped: [file(1), file(2), file(3)] },
    });
    expect(agent.shipped.map((request) => [request.file, request.size, request.compression])).toEqual([
      [file(1), 1001, { algorithm: 'gzip' }],
      [file(2), 1002, { algorithm: 'gzip' }],
      [file(3), 1003, { algorithm: 'gzip' }],
    ]);
    const keys = attestationKeys(fixture.config.signingKey, {});
    const second = await object(2);
    expect(second?.size).toBe(log(2).bytes.length);
    expect(second?.metadata).toMatchObject({
      binlogFile: file(2),
      binlogSize: '1002',
      binlogServerId: '7',
      binlogFirstEventAt: log(2).facts.firstEventAt,
      binlogLastEventAt: log(2).facts.lastEventAt,
      binlogEnding: 'rotate',
      binlogNext: file(3),
      targetId: 'hospital',
    });
    expect(factsAttested(BUCKET, second as NonNullable<typeof second>, keys)).toBe(true);
    // Kept by the one lifecycle rule: its last event's day plus the daily days, plus one.
    expect(second?.customTime).toBe('2026-12-15T00:00:00.000Z');
    expect(fixture.events()).toContain('binlogs.log-shipped');
    expect(fixture.mails).toEqual([]);
  });

  it('ships nothing twice: a second run finds every log in the bucket', async () => {
    const logs = { [file(1)]: log(1), [file(2)]: log(2) };
    const { agent, run } = await setUp({
      script: { closed: [{ server: SERVER, logs: listed(1, 2) }], logs },
    });
    await run();
    const again = await run();
    expect(again.targets[0]).toMatchObject({ outcome: 'current', binlogs: { shipped: [] } });
    expect(agent.shipped).toHaveLength(2);
  });

  it("ships from the oldest kept backup's start onwards, not the logs no kept backup needs", async () => {
    const logs = Object.fromEntries([1, 2, 3, 4, 5].map((n) => [file(n), log(n)]));
    const { agent, fixture, run } = await setUp({
      script: { closed: [{ server: SERVER, logs: listed(1, 2, 3, 4, 5) }], logs },
    });
    await backupStartingIn(fixture, '20261206', file(3));
    await backupStartingIn(fixture, '20261207', file(4));
    const report = await run();
    expect(report.targets[0]?.binlogs?.shipped).toEqual([file(3), file(4), file(5)]);
    expect(agent.shipped.map((request) => request.file)).toEqual([file(3), file(4), file(5)]);
  });

  it('ships a server restarted with a new server_id into a folder of its own, without the logs it wrote before', async () => {
    const renamed = { ...SERVER, serverId: 8 };
    const logs = {
      [file(1)]: log(1),
      [file(2)]: log(2),
      [file(3)]: log(3, { facts: { ...log(3).facts, serverId: 8 } }),
    };
    const { agent, run, names } = await setUp({
      script: {
        closed: [
          { server: SERVER, logs: listed(1, 2) },
          { server: renamed, logs: listed(1, 2, 3) },
        ],
        logs,
      },
    });
    await run();
    const report = await run();
    expect(report.targets[0]).toMatchObject({
      outcome: 'shipped',
      binlogs: { serverId: 8, shipped: [file(3)] },
    });
    expect(agent.shipped.map((request) => request.file)).toEqual([file(1), file(2), file(3)]);
    expect(await names()).toEqual([
      `binlog/HospitalDB/7/${file(1)}.gz`,
      `binlog/HospitalDB/7/${file(2)}.gz`,
      `binlog/HospitalDB/8/${file(3)}.gz`,
    ]);
  });

  it('ships the last log a server wrote before it restarted with a new server_id, as its old identity’s', async () => {
    const renamed = { ...SERVER, serverId: 8 };
    const logs = {
      // Closed by the shutdown, written by server id 7; the next one by server id 8, after the restart.
      [file(1)]: log(1, { facts: { ...log(1).facts, ending: 'stop', next: undefined } }),
      [file(2)]: log(2, { facts: { ...log(2).facts, serverId: 8 } }),
    };
    const { run, bucket } = await setUp({
      script: { closed: [{ server: renamed, logs: listed(1, 2) }], logs },
    });
    const report = await run();
    expect(report.targets[0]).toMatchObject({
      outcome: 'shipped',
      binlogs: { serverId: 8, shipped: [file(1), file(2)] },
    });
    const first = await getObject(bucket, `binlog/HospitalDB/8/${file(1)}.gz`);
    expect(first?.metadata).toMatchObject({ binlogServerId: '7', binlogEnding: 'stop' });
    expect(first?.metadata.checkFailed).toBeUndefined();
  });

  it('names an encrypted target’s logs .age and asks the agent to encrypt them', async () => {
    const { agent, run, object } = await setUp({
      script: { closed: [{ server: SERVER, logs: listed(1) }], logs: { [file(1)]: log(1) } },
      target: { encryption: 'required', compression: { algorithm: 'zstd' } },
    });
    expect((await run()).status).toBe('ok');
    expect(agent.shipped[0]).toMatchObject({ encrypted: true, compression: { algorithm: 'zstd' } });
    expect((await object(1, '.zst.age'))?.metadata.encryptedFor).toBe('age1scripted');
  });
});

describe('the shipped logs beside the backups', () => {
  it('are never taken for backups, nor for objects planted among them, by list, status or retention', async () => {
    const logs = { [file(1)]: log(1), [file(2)]: log(2) };
    const { fixture, run, names } = await setUp({
      script: { closed: [{ server: SERVER, logs: listed(1, 2) }], logs },
    });
    await run();
    expect(await names()).toHaveLength(2);
    const { config, deps } = fixture;
    const answers = [
      await runList(config, deps, {}),
      await runStatus(config, deps, {}),
      await runRetention(config, deps, { dryRun: true }),
    ];
    for (const answer of answers) expect(JSON.stringify(answer)).not.toContain('binlog/');
    expect(fixture.events()).not.toContain('object.unproven');
  });
});

describe('where a run stops', () => {
  it('stops at the first log the agent could not ship, alerts with its stderr, and the next run resumes there', async () => {
    const failing: BinlogScript = {
      closed: [{ server: SERVER, logs: listed(1, 2, 3) }],
      logs: {
        [file(1)]: log(1),
        [file(2)]: log(2, {
          fail: {
            errorCode: 'DUMP_FAILED',
            errorMessage: 'mariadb-binlog exited 1',
            stderrTail: ['Access denied'],
          },
        }),
        [file(3)]: log(3),
      },
    };
    const { agent, fixture, run, names } = await setUp({ script: failing });
    const report = await run();
    expect(report.status).toBe('failed');
    expect(report.targets[0]).toMatchObject({
      outcome: 'failed',
      binlogs: { shipped: [file(1)] },
      error: {
        code: 'DUMP_FAILED',
        message: `${file(2)} was not shipped: mariadb-binlog exited 1`,
        stderrTail: ['Access denied'],
      },
    });
    expect(agent.shipped.map((request) => request.file)).toEqual([file(1), file(2)]);
    expect(await names()).toEqual([`binlog/HospitalDB/7/${file(1)}.gz`]);
    expect(fixture.mails).toHaveLength(1);
    expect(fixture.mails[0]?.subject).toBe('Binary-log shipping failed: HospitalDB (2026-12-07)');
    expect(fixture.mails[0]?.text).toContain('Access denied');
    expect(fixture.events()).toContain('binlogs.failed');

    delete failing.logs[file(2)]?.fail;
    const next = await run();
    expect(next.targets[0]).toMatchObject({ outcome: 'shipped', binlogs: { shipped: [file(2), file(3)] } });
  });

  it('leaves nothing under the name of a log whose agent died half way, and the next run ships it', async () => {
    const script: BinlogScript = {
      closed: [{ server: SERVER, logs: listed(1, 2) }],
      logs: { [file(1)]: log(1, { cut: 100 }), [file(2)]: log(2) },
    };
    const { agent, run, names } = await setUp({ script });
    const report = await run();
    expect(report.targets[0]).toMatchObject({ outcome: 'failed', error: { code: 'INTERNAL' } });
    expect(agent.shipped).toHaveLength(1);
    expect(await names()).toEqual([]);

    delete script.logs[file(1)]?.cut;
    expect((await run()).targets[0]?.binlogs?.shipped).toEqual([file(1), file(2)]);
  });

  it('marks an object that is not what the agent streamed, and refuses to go past it until it is removed', async () => {
    const script: BinlogScript = {
      closed: [{ server: SERVER, logs: listed(1, 2) }],
      logs: { [file(1)]: log(1, { claim: { md5: 'AAAAAAAAAAAAAAAAAAAAAA==' } }), [file(2)]: log(2) },
    };
    const { run, object } = await setUp({ script });
    const report = await run();
    expect(report.targets[0]?.error?.code).toBe('CHECK_MISMATCH');
    expect(report.targets[0]?.error?.message).toContain('delete it while the server still holds the log');
    expect((await object(1))?.metadata.checkFailed).toMatch(/md5/);
    expect((await object(1))?.metadata.attestation).toBeUndefined();
    const next = await run();
    expect(next.targets[0]?.error).toMatchObject({ code: 'OBJECT_UNPROVEN' });
    expect(next.targets[0]?.error?.message).toContain(`delete it while the server still holds ${file(1)}`);
    expect(next.targets[0]?.binlogs?.shipped).toEqual([]);
  });

  it.each([
    ['another file', { file: file(9) }, `the agent shipped ${file(9)}, not ${file(1)}`],
    ['another size', { size: 5 }, 'the log has 5 bytes, the server listed 1001'],
  ])('refuses a log the agent says is of %s than the server listed', async (_what, change, why) => {
    const facts = { ...log(1).facts, file: file(1), size: 1001, ...change };
    const script: BinlogScript = {
      closed: [{ server: SERVER, logs: listed(1) }],
      logs: { [file(1)]: log(1, { claim: { log: facts } }) },
    };
    const { run } = await setUp({ script });
    const report = await run();
    expect(report.targets[0]?.error?.code).toBe('CHECK_MISMATCH');
    expect(report.targets[0]?.error?.message).toContain(why);
  });
});

describe('what it alerts', () => {
  it('names the logs the server purged before they were shipped, and says to take a full backup now', async () => {
    const logs = { [file(4)]: log(4), [file(5)]: log(5) };
    const { fixture, run } = await setUp({
      script: { closed: [{ server: SERVER, logs: listed(4, 5) }], logs },
    });
    await backupStartingIn(fixture, '20261207', file(2));
    const report = await run();
    expect(report.targets[0]).toMatchObject({
      outcome: 'failed',
      binlogs: { shipped: [file(4), file(5)], purged: [file(2), file(3)] },
      error: { code: 'BINLOG_LOST' },
    });
    expect(report.targets[0]?.error?.message).toContain(
      'take a full backup now (db-backup run --force HospitalDB)',
    );
    expect(fixture.mails[0]?.text).toContain(
      `binary logs lost (purged before shipping): ${file(2)}, ${file(3)}`,
    );
  });

  it("says which setting keeps the server's logs from being shipped", async () => {
    const refusal = new AgentError(
      'AGENT_REJECTED',
      'the agent at 10.0.0.5:8443 answered 409 BINLOG_NOT_READY: log_bin is OFF on its server; start the server with log_bin and binlog_format=ROW',
      { host: '10.0.0.5:8443', status: 409, agentCode: 'BINLOG_NOT_READY' },
    );
    const { agent, fixture, run } = await setUp({ script: { closed: [refusal], logs: {} } });
    const report = await run();
    expect(report.targets[0]).toMatchObject({
      outcome: 'failed',
      objectName: 'binlog/HospitalDB/',
      error: { code: 'BINLOG_NOT_READY' },
    });
    expect(report.targets[0]?.error?.message).toMatch(/^HospitalDB is set pointInTime, but .*log_bin is OFF/);
    expect(fixture.mails[0]?.text).toContain('error BINLOG_NOT_READY');
    expect(agent.shipped).toEqual([]);
  });

  it('once per scheduled execution, however often Cloud Scheduler retries it', async () => {
    const logs = { [file(1)]: log(1, { fail: { errorCode: 'DUMP_FAILED', errorMessage: 'no' } }) };
    const { fixture, run } = await setUp({ script: { closed: [{ server: SERVER, logs: listed(1) }], logs } });
    const execution = { jobName: 'db-backup-binlogs', scheduleTime: START.toISOString() };
    await run(execution);
    await run(execution);
    expect(fixture.mails).toHaveLength(1);
    expect(fixture.events()).toContain('alert.suppressed');
  });
});
