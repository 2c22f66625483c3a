// The agent as systemd runs it (agent/main.ts in its own process): a job cut off by a crash is `interrupted`
// after the restart, and a request accepted before the crash cannot be replayed after it; SIGTERM interrupts
// the job itself and cancels its upload session.
import { type ChildProcess, spawn } from 'node:child_process';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { AGENT_PATHS, type JobStatus, runAcceptedSchema } from '../../../core/protocol.js';
import { generateKeyPair } from '../../../core/signing/index.js';
import { type RunningEmulator, startEmulator } from '../../../emulator/index.js';
import {
  downloadObject,
  oneJobRun,
  openUploadSession,
  readLogLines,
  signedRequest,
  testSigningKey,
} from '../../helpers/agent.js';
import { createStandIns, freePort, type StandIns } from '../../helpers/stand-in-tools.js';

const ROOT = join(import.meta.dirname, '../../..');
const BUCKET = 'restarts';

interface AgentProcess {
  child: ChildProcess;
  exited: Promise<number | null>;
  stderr: () => string;
}

describe('agent process restarts', () => {
  let emulator: RunningEmulator;
  let tools: StandIns;
  let dir: string;
  let configPath: string;
  let url: string;
  const signing = testSigningKey();
  const running: AgentProcess[] = [];

  beforeAll(async () => {
    emulator = await startEmulator({ port: 0 });
    tools = await createStandIns();
    dir = await mkdtemp(join(tmpdir(), 'agent-restart-'));
    // Writes until its pipe breaks, as a dump of a large database would.
    const slow = await tools.script(
      'slow-dump',
      'while :; do echo "insert into t values (42);"; sleep 0.02; done',
    );
    const port = await freePort();
    url = `http://127.0.0.1:${port}`;
    configPath = join(dir, 'agent.json');
    const responseKeyFile = join(dir, 'response-key.pem');
    await writeFile(responseKeyFile, generateKeyPair().privateKey.export({ type: 'pkcs8', format: 'pem' }), {
      mode: 0o600,
    });
    await writeFile(
      configPath,
      JSON.stringify({
        listen: { host: '127.0.0.1', port },
        publicUrl: url,
        responseKeyFile,
        stateDir: join(dir, 'state'),
        logDir: join(dir, 'log'),
        syslog: false,
        trustedKeys: signing.trusted,
        targets: [{ id: 'slow', engine: 'mongodb', database: 'slow', toolPath: slow }],
        uploads: { origin: emulator.url, buckets: [BUCKET] },
      }),
    );
  });
  afterEach(async () => {
    for (const agent of running.splice(0)) {
      agent.child.kill('SIGKILL');
      await agent.exited;
    }
  });
  afterAll(async () => {
    await emulator?.close();
    await tools?.remove();
    await rm(dir, { recursive: true, force: true });
  });

  async function startAgent(): Promise<AgentProcess> {
    const child = spawn(process.execPath, ['--import', 'tsx', 'agent/main.ts', '--config', configPath], {
      cwd: ROOT,
      stdio: ['ignore', 'ignore', 'pipe'],
    });
    let stderr = '';
    child.stderr?.on('data', (chunk) => {
      stderr += chunk;
    });
    const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
    const agent = { child, exited, stderr: () => stderr };
    running.push(agent);
    for (let i = 0; i < 400; i++) {
      const healthy = await fetch(`${url}${AGENT_PATHS.health}`).then(
        (response) => response.ok,
        () => false,
      );
      if (healthy) return agent;
      if (child.exitCode !== null) break;
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
    throw new Error(`agent did not start: ${stderr}`);
  }

  const getJob = async (jobId: string) => {
    const response = await signedRequest(`${url}${AGENT_PATHS.job(jobId)}`, { key: signing.key });
    expect(response.status).toBe(200);
    return response.json as JobStatus;
  };

  async function startSlowJob(runId: string) {
    const objectName = `slow_${runId}.archive.gz`;
    const uploadUri = await openUploadSession(emulator.url, BUCKET, objectName);
    const body = JSON.stringify(
      oneJobRun({ runId, targetId: 'slow', objectName, uploadUri, compression: { algorithm: 'gzip' } }),
    );
    const accepted = await signedRequest(`${url}${AGENT_PATHS.runs}`, {
      method: 'POST',
      body,
      key: signing.key,
    });
    expect(accepted.status).toBe(202);
    const jobId = runAcceptedSchema.parse(accepted.json).jobs[0]?.jobId as string;
    for (let i = 0; i < 400; i++) {
      const status = await getJob(jobId);
      if (status.state === 'running' && status.bytesRead > 0) return { jobId, objectName, uploadUri };
      await new Promise((resolve) => setTimeout(resolve, 25));
    }
    throw new Error('the job never got going');
  }

  it('marks a job cut off by a crash as interrupted after the restart', async () => {
    const first = await startAgent();
    const { jobId, objectName } = await startSlowJob('run-crash');
    first.child.kill('SIGKILL');
    await first.exited;

    await startAgent();
    const status = await getJob(jobId);
    expect(status).toMatchObject({ state: 'interrupted', errorCode: 'JOB_INTERRUPTED', runId: 'run-crash' });
    expect(status.endedAt).toBeDefined();
    expect(await downloadObject(emulator.url, BUCKET, objectName)).toBeUndefined();
    const lines = (await readLogLines(join(dir, 'log'))).map((line) => JSON.parse(line));
    expect(lines).toContainEqual(
      expect.objectContaining({ level: 'error', event: 'job.interrupted', jobId }),
    );
    // The target is free again.
    await startSlowJob('run-after-crash');
  });

  it('refuses, after a crash, the replay of a request it accepted before', async () => {
    const first = await startAgent();
    let captured: { url: string; headers: Record<string, string> } | undefined;
    const accepted = await signedRequest(`${url}${AGENT_PATHS.run('run-replay')}`, {
      key: signing.key,
      tamper: (request) => {
        captured = structuredClone(request);
      },
    });
    expect(accepted.status).toBe(404);
    if (!captured) throw new Error('no request captured');
    first.child.kill('SIGKILL');
    await first.exited;

    const second = await startAgent();
    const replayed = await fetch(captured.url, { headers: captured.headers });
    expect(replayed.status).toBe(401);
    // Refusals are summarised once a minute, and when the agent stops.
    second.child.kill('SIGTERM');
    await second.exited;
    const lines = (await readLogLines(join(dir, 'log'))).map((line) => JSON.parse(line));
    expect(lines.slice(-2)).toEqual([
      expect.objectContaining({
        event: 'request.unauthenticated',
        errorCode: 'SIGNATURE_REPLAYED',
        refused: 1,
      }),
      expect.objectContaining({ event: 'agent.stopped' }),
    ]);
  });

  it('on SIGTERM interrupts the running job, cancels its upload session and exits 0', async () => {
    const agent = await startAgent();
    const { jobId, objectName, uploadUri } = await startSlowJob('run-term');
    agent.child.kill('SIGTERM');
    expect(await agent.exited).toBe(0);

    const saved = JSON.parse(
      await readFile(join(dir, 'state', 'jobs', `${jobId}.json`), 'utf8'),
    ) as JobStatus;
    expect(saved).toMatchObject({ state: 'interrupted', errorCode: 'JOB_INTERRUPTED' });
    const probe = await fetch(uploadUri, { method: 'PUT', headers: { 'content-range': 'bytes */*' } });
    expect(probe.status).toBe(499);
    expect(await downloadObject(emulator.url, BUCKET, objectName)).toBeUndefined();
    const events = (await readLogLines(join(dir, 'log'))).map((line) => JSON.parse(line).event);
    expect(events).toEqual(expect.arrayContaining(['agent.stopping', 'job.interrupted', 'agent.stopped']));
  });

  /** Runs main.ts to its exit (for the modes that do not serve). */
  function runMain(args: string[]): Promise<{ code: number | null; stdout: string; stderr: string }> {
    const child = spawn(process.execPath, ['--import', 'tsx', 'agent/main.ts', ...args], { cwd: ROOT });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (chunk) => {
      stdout += chunk;
    });
    child.stderr.on('data', (chunk) => {
      stderr += chunk;
    });
    return new Promise((resolve) => child.on('exit', (code) => resolve({ code, stdout, stderr })));
  }

  it('refuses to start on a bad config with exit code 78 and a message naming the field', async () => {
    const bad = join(dir, 'bad.json');
    await writeFile(bad, JSON.stringify({ listen: {}, trustedKeys: {}, targets: [] }));
    const { code, stderr } = await runMain(['--config', bad]);
    expect(code).toBe(78);
    expect(stderr).toMatch(/listen\.host/);
  });

  it('refuses to start, and to pass --check-config, without a tool every backup needs, naming its package', async () => {
    const lacking = join(dir, 'lacking-pv.json');
    const config = JSON.parse(await readFile(configPath, 'utf8')) as Record<string, unknown>;
    await writeFile(lacking, JSON.stringify({ ...config, pvPath: join(dir, 'no-such-pv') }));
    for (const args of [
      ['--config', lacking],
      ['--check-config', '--config', lacking],
    ]) {
      const { code, stdout, stderr } = await runMain(args);
      expect(code).toBe(78);
      expect(stdout).toBe('');
      expect(stderr).toContain(
        `pv is missing (${join(dir, 'no-such-pv')} is not an executable file): install the Debian package pv`,
      );
    }
  });

  it('checks a config with --check-config, printing it with keys by id only', async () => {
    const { code, stdout } = await runMain(['--check-config', '--config', configPath]);
    expect(code).toBe(0);
    expect(JSON.parse(stdout)).toMatchObject({ trustedKeys: ['test-key'], targets: [{ id: 'slow' }] });
    expect(stdout).not.toContain('BEGIN');
  });
});
