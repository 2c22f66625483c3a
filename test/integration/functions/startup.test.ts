// The deployed entry point under functions-framework: a bad configuration stops the start with a clear error;
// a good one serves the backup target, its dry run reading the bucket (the storage emulator) and writing nothing.
import { type ChildProcess, spawn } from 'node:child_process';
import { Storage } from '@google-cloud/storage';
import { afterEach, describe, expect, it } from 'vitest';
import { generateKeyPair } from '../../../core/signing/index.js';
import { type RunningEmulator, startEmulator } from '../../../emulator/index.js';
import { freePort } from '../../helpers/stand-in-tools.js';
import { createBucket } from './harness.js';

const MAIN = 'node_modules/@google-cloud/functions-framework/build/src/main.js';
const children: ChildProcess[] = [];
const emulators: RunningEmulator[] = [];

function start(target: string, port: number, env: Record<string, string>) {
  const child = spawn(
    process.execPath,
    ['--import', 'tsx', MAIN, `--target=${target}`, '--source=functions/index.ts', `--port=${port}`],
    {
      // Only what the function reads, plus PATH: no ambient Google configuration.
      env: { PATH: process.env.PATH ?? '', ...env },
      stdio: ['ignore', 'pipe', 'pipe'],
    },
  );
  children.push(child);
  let output = '';
  child.stdout?.on('data', (chunk: Buffer) => {
    output += chunk.toString();
  });
  child.stderr?.on('data', (chunk: Buffer) => {
    output += chunk.toString();
  });
  const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
  return { exited, output: () => output };
}

const goodEnv = () => ({
  BACKUP_BUCKET: 'acme-backups',
  BACKUP_TARGETS: JSON.stringify([
    { id: 'app', database: 'app', engine: 'postgres', agentUrl: 'http://127.0.0.1:9' },
  ]),
  BACKUP_AGENTS: JSON.stringify([
    {
      url: 'http://127.0.0.1:9',
      publicKey: generateKeyPair().publicKey.export({ type: 'spki', format: 'pem' }).toString(),
    },
  ]),
  BACKUP_SIGNING_KEY_ID: 'k1',
  BACKUP_SIGNING_KEY: generateKeyPair().privateKey.export({ type: 'pkcs8', format: 'pem' }).toString(),
});

afterEach(async () => {
  for (const child of children.splice(0)) child.kill('SIGKILL');
  await Promise.all(emulators.splice(0).map((emulator) => emulator.close()));
});

describe('start-up', () => {
  it('refuses to start on a bad configuration, naming each bad field and never the key', async () => {
    const env = {
      ...goodEnv(),
      BACKUP_TARGETS: '[{"id":"app","database":"app","engine":"oracle","agentUrl":"x"}]',
    };
    const { exited, output } = start('backup', await freePort(), { ...env, BACKUP_SIGNING_KEY_ID: '' });
    expect(await exited).not.toBe(0);
    expect(output()).toContain('ConfigError: invalid function configuration');
    expect(output()).toContain('targets.0.engine (BACKUP_TARGETS)');
    expect(output()).toContain('targets.0.agentUrl (BACKUP_TARGETS)');
    expect(output()).toContain('signingKeyId (BACKUP_SIGNING_KEY_ID): is required');
    expect(output()).not.toContain('PRIVATE KEY');
  });

  /** The first answer of the function on `port`, retried while it starts. */
  async function firstAnswer(port: number, init: RequestInit, query = '') {
    let response: Response | undefined;
    for (let attempt = 0; attempt < 300 && !response; attempt++) {
      response = await fetch(`http://127.0.0.1:${port}/${query}`, init).catch(async () => {
        await new Promise((resolve) => setTimeout(resolve, 100));
        return undefined;
      });
    }
    return response;
  }

  it('serves the backup target with a good configuration (a dry run reads the bucket, writes nothing)', async () => {
    const emulator = await startEmulator();
    emulators.push(emulator);
    await createBucket(emulator.url, 'acme-backups');
    const port = await freePort();
    // The storage client's own switch to a local endpoint (its JSON API's base URL): nothing leaves 127.0.0.1.
    const { output } = start('backup', port, {
      ...goodEnv(),
      STORAGE_EMULATOR_HOST: `${emulator.url}/storage/v1`,
    });
    const response = await firstAnswer(port, { method: 'POST' }, '?dryRun=true');
    expect(response?.status, output()).toBe(200);
    const report = (await response?.json()) as { targets: { outcome: string; objectName: string }[] };
    expect(report.targets).toEqual([expect.objectContaining({ outcome: 'planned', kept: [] })]);
    expect(output()).toContain('"event":"run.planned"');
    const [objects] = await new Storage({ apiEndpoint: emulator.url }).bucket('acme-backups').getFiles();
    expect(objects).toEqual([]);
  });

  it('answers a malformed JSON body in the JSON error shape, with no stack in the answer or the log', async () => {
    const port = await freePort();
    // Outside production Express would print the stack in its HTML page.
    const { output } = start('backup', port, { ...goodEnv(), NODE_ENV: 'development' });
    const init = { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{"dryRun":' };
    const response = await firstAnswer(port, init);
    expect(response?.status, output()).toBe(400);
    expect(response?.headers.get('content-type')).toBe('application/json; charset=utf-8');
    expect(await response?.json()).toEqual({
      error: { code: 'REQUEST_INVALID', message: 'the body is not valid JSON' },
    });
    const logged = () =>
      output()
        .split('\n')
        .some(
          (line) =>
            line.includes('"event":"request.refused"') && line.includes('"errorCode":"REQUEST_INVALID"'),
        );
    // The line is written before the answer; reading it from the child's pipe may lag behind.
    for (let i = 0; i < 100 && !logged(); i++) await new Promise((r) => setTimeout(r, 50));
    expect(logged(), output()).toBe(true);
    expect(output()).not.toMatch(/SyntaxError|\bat JSON\.parse|node_modules/);
  });
});
