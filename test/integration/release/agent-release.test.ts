// The agent's release as a database VM gets it: the archive `npm run package:agent` builds, checked against its
// SHA-256, unpacked into an empty folder with no node_modules of the repository in reach, and run by Node.js alone:
// it starts, answers a signed request with a signed answer, backs a SQLite database up into the storage emulator
// (Cloud Storage's own CRC32C check passing, so the native binary computed it), and stops on SIGTERM.
import { type ChildProcess, execFileSync, spawn } from 'node:child_process';
import { createHash, createPublicKey } from 'node:crypto';
import { existsSync } from 'node:fs';
import { mkdir, mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join, parse } from 'node:path';
import { crc32c } from '@node-rs/crc32';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildRelease, type Release } from '../../../agent/release/build-release.js';
import { AGENT_PATHS, jobStatusSchema, runAcceptedSchema } from '../../../core/protocol.js';
import {
  generateKeyPair,
  type HttpRequest,
  keyThumbprint,
  sign,
  verifyResponse,
} from '../../../core/signing/index.js';
import { type RunningEmulator, startEmulator } from '../../../emulator/index.js';
import { freePort } from '../../../local/free-port.js';
import { downloadObject, oneJobRun, openUploadSession, testSigningKey } from '../../helpers/agent.js';
import { unavailable } from '../../helpers/provisioned.js';

const ROOT = join(import.meta.dirname, '..', '..', '..');
const BUCKET = 'backups';

/** Every folder from `dir` up to the root: none may hold a node_modules the agent could fall back on. */
function ancestors(dir: string): string[] {
  const found = [dir];
  while (dirname(found.at(-1) as string) !== found.at(-1)) found.push(dirname(found.at(-1) as string));
  return found;
}

describe.skipIf(unavailable('sqlite3') !== undefined)('the agent release', () => {
  let out: string;
  let vm: string;
  let release: Release;
  let agentDir: string;
  let emulator: RunningEmulator;
  let child: ChildProcess | undefined;
  let url: string;
  let stderr = '';
  const signing = testSigningKey('backup-2025-01');
  const answerKey = generateKeyPair();

  beforeAll(async () => {
    out = await mkdtemp(join(tmpdir(), 'release-'));
    release = await buildRelease(ROOT, out);
    vm = await mkdtemp(join(tmpdir(), 'vm-'));
    execFileSync('tar', ['-xzf', release.archive, '-C', vm]);
    const [folder] = await readdir(vm);
    agentDir = join(vm, folder as string);
    emulator = await startEmulator({ port: 0 });
  }, 120_000);

  afterAll(async () => {
    child?.kill('SIGKILL');
    await emulator?.close();
    for (const dir of [out, vm]) if (dir) await rm(dir, { recursive: true, force: true });
  });

  it('is one linux-x64 archive whose .sha256 file sha256sum -c accepts', async () => {
    expect(parse(release.archive).base).toMatch(/^db-backup-agent-\d+\.\d+\.\d+-linux-x64\.tar\.gz$/);
    const digest = createHash('sha256')
      .update(await readFile(release.archive))
      .digest('hex');
    expect(release.sha256).toBe(digest);
    expect(
      execFileSync('sha256sum', ['-c', `${parse(release.archive).base}.sha256`], { cwd: out }).toString(),
    ).toMatch(/: OK$/m);
  });

  it('holds the bundled agent, the native CRC32C for Linux x64 with glibc, install.sh and the licences', async () => {
    expect(await readdir(join(agentDir, 'node_modules', '@node-rs'))).toEqual([
      'crc32',
      'crc32-linux-x64-gnu',
    ]);
    expect(await readdir(join(agentDir, 'node_modules'))).toEqual(['@node-rs']);
    expect(
      existsSync(
        join(agentDir, 'node_modules', '@node-rs', 'crc32-linux-x64-gnu', 'crc32.linux-x64-gnu.node'),
      ),
    ).toBe(true);
    for (const file of [
      'main.mjs',
      'install.sh',
      'db-backup-agent.service',
      'agent.mysql.example.json',
      'package.json',
    ])
      expect(existsSync(join(agentDir, file)), file).toBe(true);
    // The functions' libraries (the storage library among them) are not part of the agent.
    expect(release.packages).not.toContain('@google-cloud/storage');
    for (const name of release.packages.filter((name) => !name.endsWith('-linux-x64-gnu')))
      expect((await readdir(join(agentDir, 'licenses', name))).length, name).toBeGreaterThan(0);
  });

  it('is the same archive when built again from the same files', async () => {
    const again = await buildRelease(ROOT, join(out, 'again'));
    expect(again.sha256).toBe(release.sha256);
  });

  it('starts with Node.js alone, from a folder with no node_modules of the repository in reach', async () => {
    for (const dir of ancestors(agentDir).slice(1))
      expect(existsSync(join(dir, 'node_modules')), dir).toBe(false);
    const sqlitePath = join(vm, 'app.db');
    execFileSync('sqlite3', [
      sqlitePath,
      'create table patient (id integer primary key); insert into patient values (1), (2);',
    ]);
    const keyFile = join(vm, 'agent-response.key');
    await writeFile(keyFile, answerKey.privateKey.export({ type: 'pkcs8', format: 'pem' }), { mode: 0o600 });
    const port = await freePort();
    url = `http://127.0.0.1:${port}`;
    const config = join(vm, 'agent.json');
    await mkdir(join(vm, 'state'));
    await writeFile(
      config,
      JSON.stringify({
        listen: { host: '127.0.0.1', port },
        publicUrl: url,
        responseKeyFile: keyFile,
        stateDir: join(vm, 'state'),
        logDir: join(vm, 'log'),
        syslog: false,
        trustedKeys: signing.trusted,
        targets: [{ id: 'app', engine: 'sqlite', database: 'app', path: sqlitePath }],
        uploads: { origin: emulator.url, buckets: [BUCKET] },
      }),
    );
    const { NODE_PATH: _ignored, NODE_OPTIONS: _options, ...env } = process.env;
    child = spawn(process.execPath, ['main.mjs', '--config', config], {
      cwd: agentDir,
      env,
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    child.stderr?.on('data', (chunk) => {
      stderr += chunk;
    });
    const deadline = Date.now() + 20_000;
    for (;;) {
      const health = await fetch(`${url}/healthz`).catch(() => undefined);
      if (health?.status === 200) break;
      if (child.exitCode !== null || Date.now() > deadline)
        throw new Error(`the agent did not start (exit ${child.exitCode}): ${stderr}`);
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
  });

  /** A request signed as the function signs it, and the agent's answer, verified with its public key. */
  async function signed(path: string, method = 'GET', body = '') {
    const request: HttpRequest = {
      method,
      url: `${url}${path}`,
      headers: { 'content-type': 'application/json' },
      body,
    };
    const sent = { ...request, headers: { ...request.headers, ...sign(request, signing.key, new Date()) } };
    const response = await fetch(sent.url, {
      method,
      headers: sent.headers,
      body: method === 'GET' ? undefined : body,
    });
    const answer = {
      status: response.status,
      headers: Object.fromEntries(response.headers),
      body: Buffer.from(await response.arrayBuffer()),
    };
    const publicKey = createPublicKey(answerKey.privateKey);
    verifyResponse(answer, sent, { publicKey, keyId: keyThumbprint(publicKey) });
    return { status: answer.status, json: JSON.parse(answer.body.toString('utf8')) };
  }

  it('answers a signed request with an answer signed by its own key', async () => {
    const answer = await signed(AGENT_PATHS.job('no-such-job'));
    expect(answer).toMatchObject({ status: 404, json: { error: { code: 'JOB_UNKNOWN' } } });
  });

  it('backs a database up into storage, the CRC32C it sent accepted by the storage', async () => {
    const objectName = 'app_20250301.sql.gz';
    const uploadUri = await openUploadSession(emulator.url, BUCKET, objectName);
    const run = oneJobRun({
      runId: 'release-run',
      targetId: 'app',
      objectName,
      uploadUri,
      compression: { algorithm: 'gzip' },
    });
    const accepted = await signed(AGENT_PATHS.runs, 'POST', JSON.stringify(run));
    expect(accepted.status, JSON.stringify(accepted.json)).toBe(202);
    const jobId = runAcceptedSchema.parse(accepted.json).jobs[0]?.jobId as string;
    const deadline = Date.now() + 60_000;
    let status = jobStatusSchema.parse((await signed(AGENT_PATHS.job(jobId))).json);
    while (status.state === 'queued' || status.state === 'running') {
      if (Date.now() > deadline) throw new Error(`job still ${status.state}`);
      await new Promise((resolve) => setTimeout(resolve, 100));
      status = jobStatusSchema.parse((await signed(AGENT_PATHS.job(jobId))).json);
    }
    expect(status, stderr).toMatchObject({ state: 'succeeded', targetId: 'app' });
    const object = await downloadObject(emulator.url, BUCKET, objectName);
    if (!object) throw new Error('no object');
    const crc = Buffer.alloc(4);
    crc.writeUInt32BE(crc32c(object) >>> 0);
    expect(status.crc32c).toBe(crc.toString('base64'));
  });

  it('stops on SIGTERM, exiting 0', async () => {
    const running = child as ChildProcess;
    const exited = new Promise<number | null>((resolve) => running.once('exit', (code) => resolve(code)));
    running.kill('SIGTERM');
    expect(await exited, stderr).toBe(0);
  });
});
