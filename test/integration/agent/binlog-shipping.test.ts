// Shipping a MariaDB server's closed binary logs, asked as the function asks (its agent client, signed both ways) of
// a real agent, a real server with binary logging and the storage emulator: the listing closes the open log, each
// closed log lands byte-identical to the server's own (plain and encrypted), with the facts its events say; a purged
// log, a log cut short, a wrong size and a server that is not ready are never finalized, and the answer says why.
import { execFileSync } from 'node:child_process';
import { createPublicKey } from 'node:crypto';
import { chmod, mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ShipRequest } from '../../../core/binlog-protocol.js';
import { type RunningEmulator, startEmulator } from '../../../emulator/index.js';
import { type AgentClient, agentClientFor } from '../../../functions/agent/agent-client.js';
import { AgentError } from '../../../functions/agent/agent-error.js';
import { systemClock } from '../../../functions/run/clock.js';
import { downloadObject, openUploadSession, startTestAgent, type TestAgent } from '../../helpers/agent.js';
import { type MariaDb, startMariaDb } from '../../helpers/mariadb.js';
import { unavailable } from '../../helpers/provisioned.js';
import { runTool } from '../../helpers/stand-in-tools.js';

const BUCKET = 'binlogs';

/**
 * Kills the mariadb-binlog the agent in this process started (stdbuf execs it: it is a child of this process) as soon
 * as it appears, looking among this process's children only; false when `done` settled first.
 */
async function killReader(done: Promise<unknown>): Promise<boolean> {
  let settled = false;
  done.then(
    () => (settled = true),
    () => (settled = true),
  );
  while (!settled) {
    const tasks = await readdir('/proc/self/task');
    const lists = await Promise.all(tasks.map((t) => readFile(`/proc/self/task/${t}/children`, 'utf8')));
    for (const pid of lists.join(' ').split(/\s+/).filter(Boolean)) {
      const comm = await readFile(`/proc/${pid}/comm`, 'utf8').catch(() => '');
      if (comm.trim() === 'mariadb-binlog') {
        process.kill(Number(pid), 'SIGKILL');
        return true;
      }
    }
    await new Promise((resolve) => setTimeout(resolve, 2));
  }
  return false;
}

describe.skipIf(unavailable('mariadb', 'zstd') !== undefined)('shipping closed binary logs', () => {
  let logging: MariaDb;
  let plain: MariaDb;
  let emulator: RunningEmulator;
  let dir: string;
  let agent: TestAgent;
  let client: AgentClient;
  let identity: string;
  let started: Date;

  beforeAll(async () => {
    started = new Date(Math.floor(Date.now() / 1000) * 1000);
    [logging, plain, emulator] = await Promise.all([
      startMariaDb({ binlog: { serverId: 21 } }),
      startMariaDb(),
      startEmulator({ port: 0 }),
    ]);
    // The grants agent/deploy/README.md asks for: read the logs as a replica, list them, close the open one.
    await logging.exec(
      `GRANT REPLICATION SLAVE, BINLOG MONITOR, RELOAD ON *.* TO ${logging.user}@'127.0.0.1';`,
    );
    dir = await mkdtemp(join(tmpdir(), 'agent-binlogs-'));
    identity = join(dir, 'age.key');
    await runTool('age-keygen', ['-o', identity]);
    const recipient = (await runTool('age-keygen', ['-y', identity])).trim();
    // Stand-ins for mariadb-binlog that write what the test put in stand-in.log (bytes of a real log, or altered)
    // where mariadb-binlog would, then die as a killed one does (cut) or exit 0 (replay).
    const standIn = async (name: string, ending: string[]) => {
      const path = join(dir, name);
      const lines = [
        '#!/bin/sh',
        // biome-ignore lint/suspicious/noTemplateCurlyInString: a shell parameter expansion, written as the shell reads it.
        'for a; do case $a in --result-file=*) out=${a#--result-file=};; esac; file=$a; done',
      ];
      await writeFile(path, [...lines, ...ending].join('\n'));
      await chmod(path, 0o755);
      return path;
    };
    const log = join(dir, 'stand-in.log');
    const cut = await standIn('cut-short.sh', [`head -c 300 ${log} > "$out$file"`, 'sleep 1', 'kill -9 $$']);
    const replay = await standIn('replay.sh', [`cat ${log} > "$out$file"`]);
    const target = async (id: string, db: MariaDb, extra: Record<string, unknown> = {}) => {
      const passwordFile = join(dir, `${id}.password`);
      await writeFile(passwordFile, `${db.password}\n`, { mode: 0o600 });
      const { host, port, user } = db;
      return { id, engine: 'mysql' as const, database: 'mysql', host, port, user, passwordFile, ...extra };
    };
    agent = await startTestAgent({
      targets: [
        await target('logging', logging),
        await target('sealed', logging, { recipients: [recipient] }),
        await target('cut', logging, { binlogToolPath: cut }),
        await target('replay', logging, { binlogToolPath: replay }),
        await target('plain', plain),
      ],
      uploads: { origin: emulator.url, buckets: [BUCKET] },
    });
    client = agentClientFor(
      {
        signingKey: agent.key,
        agentTimeoutSeconds: 60,
        agents: [{ url: agent.url, publicKey: createPublicKey(agent.answerKey) }],
      },
      { fetch: globalThis.fetch, clock: systemClock },
    );
  });

  afterAll(async () => {
    await agent?.remove();
    await Promise.all([logging?.stop(), plain?.stop(), emulator?.close()]);
    if (dir) await rm(dir, { recursive: true, force: true });
  });

  /** The log as the server holds it, read by mariadb-binlog itself as root: what a shipped log must equal. */
  async function serverCopy(file: string): Promise<Buffer> {
    const out = await mkdtemp(join(dir, 'copy-'));
    execFileSync(
      'mariadb-binlog',
      [
        '--no-defaults',
        `--socket=${logging.socket}`,
        '--user=root',
        '--read-from-remote-server',
        '--raw',
        `--result-file=${out}/`,
        file,
      ],
      { env: { ...process.env, MYSQL_PWD: logging.rootPassword } },
    );
    return readFile(join(out, file));
  }

  async function ship(
    targetId: string,
    object: string,
    log: { file: string; size: number },
    encrypted = false,
  ) {
    const uploadUri = await openUploadSession(emulator.url, BUCKET, object);
    const request: ShipRequest = {
      ...log,
      uploadUri,
      compression: { algorithm: 'zstd' },
      ...(encrypted && { encrypted }),
    };
    return client.shipLog(agent.url, targetId, request);
  }

  const openLog = async () => (await logging.exec('SHOW MASTER STATUS;')).split('\t')[0];

  it('lists the closed logs without the open one, the flush closing the log that held the writes', async () => {
    await logging.exec(
      'CREATE DATABASE ward; CREATE TABLE ward.beds (id INT PRIMARY KEY); INSERT INTO ward.beds VALUES (1), (2);',
    );
    const writing = await openLog();
    const before = Date.now();
    const listed = await client.closedLogs(agent.url, 'logging');
    expect(listed.targetId).toBe('logging');
    expect(listed.server).toEqual({ serverId: 21, gtidDomainId: 0 });
    expect(Date.parse(listed.flushedAt)).toBeGreaterThanOrEqual(before);
    expect(Date.parse(listed.flushedAt)).toBeLessThanOrEqual(Date.now());
    expect(listed.logs.at(-1)?.file).toBe(writing);
    const now = await openLog();
    expect(now).not.toBe(writing);
    expect(listed.logs.map((l) => l.file)).not.toContain(now);
    expect(listed.logs.map((l) => l.file)).toEqual([...listed.logs.map((l) => l.file)].sort());
  });

  it('ships each closed log byte-identical to the server’s, with the facts its events say', async () => {
    await logging.exec('INSERT INTO ward.beds VALUES (3);');
    const { logs } = await client.closedLogs(agent.url, 'logging');
    expect(logs.length).toBeGreaterThanOrEqual(2);
    for (const [i, log] of logs.entries()) {
      const object = `binlog/ward/21/${log.file}.zst`;
      const result = await ship('logging', object, log);
      expect(result, JSON.stringify(result)).toMatchObject({
        ok: true,
        bytesRead: log.size,
        exitCodes: { dump: 0, head: 0, count: 0, mark: 0, compress: 0 },
        log: {
          file: log.file,
          size: log.size,
          serverId: 21,
          ending: 'rotate',
          next: logs[i + 1]?.file ?? (await openLog()),
        },
      });
      const stored = await downloadObject(emulator.url, BUCKET, object);
      expect(stored?.length).toBe(result.bytesUploaded);
      const raw = execFileSync('zstd', ['-d', '-c'], { input: stored });
      expect(raw.equals(await serverCopy(log.file))).toBe(true);
      const first = Date.parse(result.log?.firstEventAt ?? '');
      const last = Date.parse(result.log?.lastEventAt ?? '');
      expect(first).toBeGreaterThanOrEqual(started.getTime() - 1000);
      expect(last).toBeGreaterThanOrEqual(first);
      expect(last).toBeLessThanOrEqual(Date.now());
    }
  });

  it('ships a log encrypted for the target’s recipients, which the admin’s age opens whole', async () => {
    const { logs } = await client.closedLogs(agent.url, 'sealed');
    const log = logs.at(-1)!;
    const object = `binlog/ward/21/${log.file}.zst.age`;
    const result = await ship('sealed', object, log, true);
    expect(result, JSON.stringify(result)).toMatchObject({ ok: true, exitCodes: { encrypt: 0 } });
    expect(result.recipients).toHaveLength(1);
    const stored = await downloadObject(emulator.url, BUCKET, object);
    const compressed = execFileSync('age', ['-d', '-i', identity], { input: stored });
    const raw = execFileSync('zstd', ['-d', '-c'], { input: compressed });
    expect(raw.equals(await serverCopy(log.file))).toBe(true);
  });

  it('refuses a plain shipping of a target that has recipients, starting nothing', async () => {
    const { logs } = await client.closedLogs(agent.url, 'sealed');
    const error = await ship('sealed', 'binlog/ward/21/plain.zst', logs.at(-1)!).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(AgentError);
    expect((error as AgentError).context).toMatchObject({ agentCode: 'ENCRYPTION_REQUIRED' });
    expect(await downloadObject(emulator.url, BUCKET, 'binlog/ward/21/plain.zst')).toBeUndefined();
  });

  it('names a purged log, and finalizes nothing under its name', async () => {
    await logging.exec('FLUSH BINARY LOGS;');
    const { logs } = await client.closedLogs(agent.url, 'logging');
    const [gone, kept] = [logs[0]!, logs[1]!];
    // A log stays until InnoDB has made its transactions durable (MariaDB's binlog checkpoint), a second or so here.
    for (let tries = 0; ; tries += 1) {
      await logging.exec(`PURGE BINARY LOGS TO '${kept.file}';`);
      if (!(await logging.exec('SHOW BINARY LOGS;')).includes(`${gone.file}\t`)) break;
      if (tries === 50) throw new Error(`${gone.file} was not purged`);
      await new Promise((resolve) => setTimeout(resolve, 200));
    }
    const object = `binlog/ward/21/${gone.file}.again.zst`;
    const result = await ship('logging', object, gone);
    expect(result.ok).toBe(false);
    expect(result.errorCode).toBe('BINLOG_PURGED');
    expect(result.errorMessage).toBe(
      `${gone.file} is no longer on the server of logging (purged); it cannot be shipped`,
    );
    expect(await downloadObject(emulator.url, BUCKET, object)).toBeUndefined();
    const logged = await agent.waitForLog((e) => e.event === 'binlog.failed' && e.file === gone.file);
    expect(logged).toMatchObject({ errorCode: 'BINLOG_PURGED' });
  });

  it('finalizes nothing when the size asked for is not the log’s', async () => {
    const { logs } = await client.closedLogs(agent.url, 'logging');
    const log = logs.at(-1)!;
    const object = `binlog/ward/21/${log.file}.wrong.zst`;
    const result = await ship('logging', object, { file: log.file, size: log.size + 1 });
    expect(result).toMatchObject({ ok: false, errorCode: 'BINLOG_INCOMPLETE', exitCodes: { dump: 0 } });
    expect(result.errorMessage).toBe(
      `mariadb-binlog exited 0 but it wrote ${log.size} bytes of ${log.file}, which the server lists at ${log.size + 1}`,
    );
    expect(result.log).toBeUndefined();
    expect(await downloadObject(emulator.url, BUCKET, object)).toBeUndefined();
  });

  it('finalizes nothing when mariadb-binlog dies half way, and refuses a second shipping meanwhile', async () => {
    const { logs } = await client.closedLogs(agent.url, 'logging');
    const log = logs.at(-1)!;
    await writeFile(join(dir, 'stand-in.log'), await serverCopy(log.file));
    const object = `binlog/ward/21/${log.file}.cut.zst`;
    const shipping = ship('cut', object, log);
    // The first holds the target for a second: a second shipping of it is refused, like a busy target's job.
    await new Promise((resolve) => setTimeout(resolve, 300));
    const second = await ship('cut', `${object}.2`, log).catch((e: unknown) => e);
    expect((second as AgentError).context).toMatchObject({ status: 409, agentCode: 'BINLOG_BUSY' });
    const result = await shipping;
    expect(result).toMatchObject({ ok: false, errorCode: 'DUMP_FAILED', exitCodes: { dump: null } });
    expect(result.errorMessage).toContain('cut-short.sh was killed by SIGKILL');
    expect(await downloadObject(emulator.url, BUCKET, object)).toBeUndefined();
  });

  it('finalizes nothing when a log of the right size does not start or end as a whole log does', async () => {
    const { logs } = await client.closedLogs(agent.url, 'logging');
    const log = logs.at(-1)!;
    const real = await serverCopy(log.file);
    const cases = [
      // The magic number's first byte, and the checksum of the closing Rotate event's last byte.
      { at: 0, why: 'it does not start with the binary log magic number' },
      {
        at: real.length - 1,
        why: 'its last bytes do not end with a Rotate or Stop event that closes the log at its size',
      },
    ];
    for (const { at, why } of cases) {
      const altered = Buffer.from(real);
      altered[at] = (altered[at] ?? 0) ^ 0xff;
      await writeFile(join(dir, 'stand-in.log'), altered);
      const object = `binlog/ward/21/${log.file}.altered-${at}.zst`;
      const result = await ship('replay', object, log);
      expect(result).toMatchObject({ ok: false, errorCode: 'BINLOG_INCOMPLETE', bytesRead: log.size });
      expect(result.errorMessage).toBe(
        `replay.sh exited 0 but what it wrote of ${log.file} is not whole: ${why}`,
      );
      expect(await downloadObject(emulator.url, BUCKET, object)).toBeUndefined();
    }
    // The same bytes unaltered are shipped: the stand-in is faithful, the alterations alone were refused.
    await writeFile(join(dir, 'stand-in.log'), real);
    expect(await ship('replay', `binlog/ward/21/${log.file}.replayed.zst`, log)).toMatchObject({ ok: true });
  });

  it('refuses a server without binary logging or not in ROW format, listing and shipping alike', async () => {
    const refusal = (call: Promise<unknown>) =>
      call.then(
        () => undefined,
        (e: unknown) => e as AgentError,
      );
    for (const call of [
      () => client.closedLogs(agent.url, 'plain'),
      () => ship('plain', 'binlog/ward/9/x.zst', { file: 'binlog.000001', size: 100 }),
    ]) {
      const error = await refusal(call());
      expect(error?.context).toMatchObject({ status: 409, agentCode: 'BINLOG_NOT_READY' });
      expect(error?.message).toContain('log_bin is OFF on its server');
    }
    await logging.exec("SET GLOBAL binlog_format = 'MIXED';");
    try {
      const error = await refusal(client.closedLogs(agent.url, 'logging'));
      expect(error?.message).toContain('binlog_format is MIXED on its server; set binlog_format=ROW');
    } finally {
      await logging.exec("SET GLOBAL binlog_format = 'ROW';");
    }
  });

  it('finalizes nothing when the real mariadb-binlog is killed mid-stream', async () => {
    // About 64 MiB of rows in one log, so that the log is still streaming when the test finds its reader.
    await logging.exec('CREATE DATABASE IF NOT EXISTS ward;');
    await logging.exec(
      'CREATE TABLE notes (id INT PRIMARY KEY, body TEXT); INSERT INTO notes SELECT seq, REPEAT(MD5(seq), 32) FROM seq_1_to_65536;',
      'ward',
    );
    const { logs } = await client.closedLogs(agent.url, 'logging');
    const log = logs.at(-1)!;
    expect(log.size).toBeGreaterThan(64 * 1024 * 1024);
    const object = `binlog/ward/21/${log.file}.killed.zst`;
    const shipping = ship('logging', object, log);
    const killed = await killReader(shipping);
    const result = await shipping;
    expect(killed).toBe(true);
    expect(result).toMatchObject({ ok: false, errorCode: 'DUMP_FAILED', exitCodes: { dump: null } });
    expect(result.errorMessage).toContain('mariadb-binlog was killed by SIGKILL');
    expect(result.bytesRead).toBeLessThan(log.size);
    expect(await downloadObject(emulator.url, BUCKET, object)).toBeUndefined();
  });
});
