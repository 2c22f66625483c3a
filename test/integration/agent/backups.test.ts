// Backups through a running agent into the storage emulator: SQLite and stand-in tools, success and failure,
// and no password anywhere in what the agent writes or answers.
import { execFileSync, spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gunzipSync } from 'node:zlib';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { AGENT_PATHS, type JobRequest, jobStatusSchema, runAcceptedSchema } from '../../../core/protocol.js';
import { type RunningEmulator, startEmulator } from '../../../emulator/index.js';
import {
  type AgentResponse,
  downloadObject,
  oneJobRun,
  openUploadSession,
  startTestAgent,
  type TestAgent,
} from '../../helpers/agent.js';
import { archiveEofBlock, printfBytes } from '../../helpers/mongo-archive.js';
import { createStandIns, failingDumpScript, type StandIns } from '../../helpers/stand-in-tools.js';

const BUCKET = 'backups';
const PASSWORD = 'Sup3r-Secret-pa55word';
/** How the stand-in mongodump closes its archive, as the real one does: its namespace's EOF block. */
const ARCHIVE_END = archiveEofBlock('MDBackoffice', 'patients');

describe('backups through the agent', () => {
  let emulator: RunningEmulator;
  let tools: StandIns;
  let dir: string;
  let agent: TestAgent;
  const answers: AgentResponse[] = [];

  beforeAll(async () => {
    emulator = await startEmulator({ port: 0 });
    tools = await createStandIns();
    dir = await mkdtemp(join(tmpdir(), 'agent-backups-'));
    const sqlitePath = join(dir, 'app.db');
    execFileSync('sqlite3', [
      sqlitePath,
      "create table patients (id integer primary key, name text); insert into patients values (1, 'Ada'), (2, 'Grace');",
    ]);
    const passwordFile = join(dir, 'mongo.password');
    await writeFile(passwordFile, `${PASSWORD}\n`, { mode: 0o600 });
    // Echoes the descriptor the engine hands it (the password's config file) to stderr, as a careless tool might.
    const echoing = await tools.script(
      'mongodump-ok',
      `for a in "$@"; do case "$a" in --config=*) cat "\${a#--config=}" >&2;; esac; done\nprintf "archive-bytes"\n${printfBytes(ARCHIVE_END)}`,
    );
    const failing = await tools.script('mongodump-failing', failingDumpScript(4, 3));
    agent = await startTestAgent({
      targets: [
        { id: 'app', engine: 'sqlite', database: 'app', path: sqlitePath },
        {
          id: 'mongo',
          engine: 'mongodb',
          database: 'MDBackoffice',
          user: 'backup',
          passwordFile,
          toolPath: echoing,
        },
        {
          id: 'broken',
          engine: 'mongodb',
          database: 'broken',
          user: 'backup',
          passwordFile,
          toolPath: failing,
        },
      ],
      config: { zstdPath: '/usr/bin/zstd' },
      uploads: { origin: emulator.url, buckets: [BUCKET] },
    });
  });
  afterAll(async () => {
    await agent?.remove();
    await emulator?.close();
    await tools?.remove();
    await rm(dir, { recursive: true, force: true });
  });

  async function backup(targetId: string, ext: string, compression: JobRequest['compression']) {
    const objectName = `${targetId}_20250301${ext}`;
    const uploadUri = await openUploadSession(emulator.url, BUCKET, objectName);
    const accepted = await agent.postRun(
      oneJobRun({ runId: `run-${targetId}`, targetId, objectName, uploadUri, compression }),
    );
    answers.push(accepted);
    expect(accepted.status).toBe(202);
    const jobId = runAcceptedSchema.parse(accepted.json).jobs[0]?.jobId as string;
    const status = await agent.waitForJob(jobId);
    answers.push(await agent.request(AGENT_PATHS.job(jobId)));
    return { status: jobStatusSchema.parse(status), objectName, uploadUri };
  }

  it('backs up a SQLite database: the object restores to the same rows, its hashes match', async () => {
    const { status, objectName } = await backup('app', '.sql.gz', { algorithm: 'gzip' });
    expect(status).toMatchObject({ state: 'succeeded', targetId: 'app', exitCodes: { dump: 0 } });
    const object = await downloadObject(emulator.url, BUCKET, objectName);
    if (!object) throw new Error('no object');
    expect(status.bytesUploaded).toBe(object.length);
    expect(status.md5).toBe(createHash('md5').update(object).digest('base64'));
    expect(status.sha256).toBe(createHash('sha256').update(object).digest('hex'));
    const sql = gunzipSync(object).toString('utf8');
    expect(status.bytesRead).toBe(Buffer.byteLength(sql));
    const restored = join(dir, 'restored.db');
    execFileSync('sqlite3', [restored], { input: sql });
    expect(execFileSync('sqlite3', [restored, 'select id, name from patients order by id']).toString()).toBe(
      '1|Ada\n2|Grace\n',
    );
    const lines = (await agent.logLines()).map((line) => JSON.parse(line));
    expect(lines).toContainEqual(
      expect.objectContaining({
        event: 'job.succeeded',
        targetId: 'app',
        objectName,
        bytesUploaded: object.length,
      }),
    );
  });

  it('backs up through a stand-in tool with zstd, the password reaching the tool but nothing else', async () => {
    const { status, objectName } = await backup('mongo', '.archive.zst', { algorithm: 'zstd', level: 3 });
    expect(status).toMatchObject({ state: 'succeeded', exitCodes: { dump: 0, compress: 0 } });
    // The tool printed its password file to stderr: the status shows the line, masked.
    expect(status.stderrTail.join('\n')).toMatch(/password: .*REDACTED/);
    expect(status.stderrTail.join('\n')).not.toContain(PASSWORD);
    const object = await downloadObject(emulator.url, BUCKET, objectName);
    expect(execFileSync('zstd', ['-dc'], { input: object })).toEqual(
      Buffer.concat([Buffer.from('archive-bytes'), ARCHIVE_END]),
    );
  });

  it('fails a dump that writes MiB then exits non-zero: stderr tail kept, no object, an error line logged', async () => {
    const { status, objectName, uploadUri } = await backup('broken', '.archive.gz', { algorithm: 'gzip' });
    expect(status).toMatchObject({ state: 'failed', errorCode: 'DUMP_FAILED', exitCodes: { dump: 3 } });
    expect(status.bytesRead).toBeGreaterThan(4 * 1024 * 1024);
    expect(status.stderrTail.join('\n')).toMatch(/lost connection to server during query/);
    expect(status.stderrTail.join('\n')).not.toContain('hunter2');
    expect(await downloadObject(emulator.url, BUCKET, objectName)).toBeUndefined();
    const lines = (await agent.logLines()).map((line) => JSON.parse(line));
    const failure = lines.find((line) => line.event === 'job.failed' && line.targetId === 'broken');
    expect(failure).toMatchObject({
      level: 'error',
      errorCode: 'DUMP_FAILED',
      runId: 'run-broken',
      objectName,
    });
    expect(typeof failure.durationMs).toBe('number');
    expect(JSON.stringify(lines)).not.toContain(new URL(uploadUri).searchParams.get('upload_id'));
  });

  it('never shows the password in a log line, a status or an answer', async () => {
    const written = (await agent.logLines()).join('\n');
    expect(written.length).toBeGreaterThan(0);
    expect(written).not.toContain(PASSWORD);
    expect(answers.length).toBeGreaterThan(0);
    for (const answer of answers) expect(answer.text).not.toContain(PASSWORD);
    const grep = spawnSync('grep', ['-rlF', PASSWORD, agent.stateDir, agent.logDir], { encoding: 'utf8' });
    expect([grep.status, grep.stdout]).toEqual([1, '']);
  });
});
