// `doctor` against real agents, the storage emulator and the Gmail stub: every check passes on a sound path, and
// each way a deploy goes wrong — the agent's key, its clock, the function's view of the agent's key, the mail
// credentials — fails its own check with the fix that clears it.
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createServer as createTlsServer } from 'node:tls';
import { gunzipSync } from 'node:zlib';
import { Storage } from '@google-cloud/storage';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { generateKeyPair } from '../../../core/signing/index.js';
import { type RunningEmulator, startEmulator } from '../../../emulator/index.js';
import type { DoctorCheck, DoctorReport } from '../../../functions/doctor/report.js';
import { ensureDemoDatabase } from '../../../local/demo-database.js';
import {
  startTestAgent,
  type TestAgent,
  type TestAgentOptions,
  testSigningKey,
} from '../../helpers/agent.js';
import { selfSignedCertificate } from '../../helpers/certificate.js';
import { type GmailStub, startGmailStub } from '../../helpers/gmail-stub.js';
import { createStandIns } from '../../helpers/stand-in-tools.js';
import { startFakeAgent } from '../functions/fake-agent.js';
import {
  createBucket,
  deliveredSince,
  type HarnessOptions,
  OAUTH,
  startFunction,
} from '../functions/harness.js';

const BUCKET = 'doctor-backups';

let emulator: RunningEmulator;
let gmail: GmailStub;
let dir: string;
const agents: TestAgent[] = [];

beforeAll(async () => {
  [emulator, gmail] = await Promise.all([startEmulator({ port: 0 }), startGmailStub({ oauth: OAUTH })]);
  await createBucket(emulator.url, BUCKET);
  dir = await mkdtemp(join(tmpdir(), 'doctor-'));
  await ensureDemoDatabase(join(dir, 'app.sqlite'));
});

afterAll(async () => {
  await Promise.all([...agents.map((agent) => agent.remove()), emulator?.close(), gmail?.close()]);
  if (dir) await rm(dir, { recursive: true, force: true });
});

async function agentWith(options: Partial<TestAgentOptions> = {}): Promise<TestAgent> {
  const agent = await startTestAgent({
    targets: [{ id: 'app', engine: 'sqlite', database: 'app', path: join(dir, 'app.sqlite') }],
    // The emulator on loopback stands in for Private Google Access's addresses, as in the local stack.
    uploads: { origin: emulator.url, buckets: [BUCKET], allowedRanges: ['127.0.0.0/8'] },
    ...options,
  });
  agents.push(agent);
  return agent;
}

/** Runs doctor against `agent`, signing as `agent.key` unless the function is given another. */
async function doctor(agent: TestAgent, options: Partial<HarnessOptions> = {}) {
  const harness = await startFunction({
    emulator,
    gmail,
    bucket: BUCKET,
    key: agent.key,
    targets: [{ id: 'app', database: 'app', engine: 'sqlite', agentUrl: agent.url }],
    ...options,
  });
  try {
    return await harness.doctor();
  } finally {
    await harness.close();
  }
}

function check(report: DoctorReport, name: DoctorCheck['check']): DoctorCheck {
  const found = report.checks.find((entry) => entry.check === name);
  if (!found) throw new Error(`no ${name} check in ${JSON.stringify(report)}`);
  return found;
}

describe('doctor', () => {
  it('passes every check on a sound path: the signed ping, the canary proven, the test mail delivered', async () => {
    const agent = await agentWith();
    const before = gmail.messages.length;
    const { status, report } = await doctor(agent);
    expect(report.checks.filter((entry) => entry.outcome !== 'passed')).toEqual([]);
    expect(status).toBe(200);
    expect(report.status).toBe('ok');
    const ping = check(report, 'ping');
    expect(ping.subject).toBe(new URL(agent.url).host);
    expect(ping.detail).toMatch(
      /^version \d+\.\d+\.\d+\S*, clock (in step|[\d.]+ s (ahead of|behind) the function's), key id test-key$/,
    );
    expect(check(report, 'route').detail).toBe(
      `127.0.0.1 resolves to 127.0.0.1, within 127.0.0.0/8; connected to 127.0.0.1:${new URL(emulator.url).port} (plain HTTP origin: no TLS to check)`,
    );
    // The canary is in the bucket under the canary folder: the bytes the pipeline made, ending with its mark.
    const canary = check(report, 'canary');
    expect(canary.outcome).toBe('passed');
    const name = /_canary\/\S+\.canary/.exec(canary.detail)?.[0] as string;
    expect(name.startsWith(`_canary/127.0.0.1-${new URL(agent.url).port}_`)).toBe(true);
    const [bytes] = await new Storage({ apiEndpoint: emulator.url, projectId: 'test-project' })
      .bucket(BUCKET)
      .file(name)
      .download();
    const text = gunzipSync(bytes).toString('utf8');
    expect(text).toMatch(/\n-- db-backup canary [0-9a-f-]{36} complete\n$/);
    expect(canary.detail).toBe(
      `${text.length} bytes through dump → pv → pv → pigz, ${name} (${bytes.length} bytes): size, CRC32C and MD5 as the agent signed them`,
    );
    const [mail] = await deliveredSince(gmail, before);
    expect(mail?.subject).toBe('[db-backup] test alert from doctor');
    expect(check(report, 'mail').detail).toBe('test mail sent to admin@example.com');
  });

  it("fails the ping, naming trustedKeys, when the agent does not trust the function's key", async () => {
    const agent = await agentWith();
    // The same key id, another key: what an agent.json left with the example's key looks like.
    const { key } = testSigningKey(agent.key.id);
    const { status, report } = await doctor(agent, { key });
    expect(status).toBe(500);
    expect(report.status).toBe('failed');
    const ping = check(report, 'ping');
    expect(ping).toMatchObject({ outcome: 'failed' });
    expect(ping.detail).toContain('the agent refused the signed ping (HTTP 401)');
    expect(ping.fix).toContain(`agent.json's trustedKeys under "${agent.key.id}"`);
  });

  it.each([
    // Its signature's `created` counts whole seconds: the skew read from a refusal is right to about a second.
    [
      'a refusal, 10 minutes ahead',
      600_000,
      /^the agent refused the signed ping \(HTTP 401\): its clock (599|600|601)(\.\d)? s ahead/,
    ],
    [
      'a refusal, 10 minutes behind',
      -600_000,
      /^the agent refused the signed ping \(HTTP 401\): its clock (599|600|601)(\.\d)? s behind/,
    ],
    // Before the request's signature expires (a minute), so it answers, and its answer says how far it is off.
    [
      'an answer, 45 s ahead',
      45_000,
      /^version .*, clock (44\.\d|45(\.\d)?) s ahead of the function's, key id/,
    ],
  ])(
    "fails the ping, naming the VM's clock, when the agent's clock is wrong (%s)",
    async (_, offset, detail) => {
      const agent = await agentWith({ now: () => new Date(Date.now() + offset) });
      const { report } = await doctor(agent);
      const ping = check(report, 'ping');
      expect(ping.outcome).toBe('failed');
      expect(ping.detail).toMatch(detail);
      expect(ping.fix).toContain('timedatectl set-ntp true');
    },
  );

  it("fails the route, naming the private DNS zone, when the storage host resolves outside the unit's ranges", async () => {
    // Google's ranges, the default: the storage host (here the emulator's 127.0.0.1) is outside them.
    const agent = await agentWith({ uploads: { origin: emulator.url, buckets: [BUCKET] } });
    const { report } = await doctor(agent);
    const route = check(report, 'route');
    expect(route.outcome).toBe('failed');
    expect(route.detail).toBe(
      "127.0.0.1 resolves to 127.0.0.1: 127.0.0.1 outside 199.36.153.8/30, 199.36.153.4/30, which the agent's unit drops",
    );
    expect(route.fix).toContain('getent ahostsv4 storage.googleapis.com');
    expect(route.fix).toContain('private_google_apis_dns');
    expect(check(report, 'canary')).toMatchObject({ outcome: 'skipped', detail: 'the route failed' });
  });

  it('fails the route, naming an interception, when the TLS handshake with the storage host fails', async () => {
    // A TLS server whose certificate no public CA issued: what an intercepting proxy looks like.
    const certificate = await selfSignedCertificate(dir, 'intercepting');
    const server = createTlsServer(
      { cert: await readFile(certificate.certFile), key: await readFile(certificate.keyFile) },
      (socket) => socket.end(),
    );
    await new Promise<void>((done) => server.listen(0, '127.0.0.1', done));
    try {
      const port = (server.address() as AddressInfo).port;
      const intercepted = await agentWith({
        uploads: { origin: `https://127.0.0.1:${port}`, buckets: [BUCKET], allowedRanges: ['127.0.0.0/8'] },
      });
      const route = check((await doctor(intercepted)).report, 'route');
      expect(route.outcome).toBe('failed');
      expect(route.detail).toMatch(/; the TLS handshake failed: self[- ]signed certificate/);
      expect(route.fix).toContain('intercepts TLS');
    } finally {
      server.close();
    }
  });

  it("fails the canary, naming agent.json's uploads, when the agent may not upload to the bucket", async () => {
    const agent = await agentWith({
      uploads: { origin: emulator.url, buckets: ['another-bucket'], allowedRanges: ['127.0.0.0/8'] },
    });
    const { report } = await doctor(agent);
    expect(check(report, 'ping').outcome).toBe('passed');
    const canary = check(report, 'canary');
    expect(canary.outcome).toBe('failed');
    expect(canary.detail).toContain('DESTINATION_REFUSED');
    expect(canary.fix).toContain(`uploads.buckets must hold "${BUCKET}"`);
  });

  it('fails the canary, naming the tools, when a tool of the chain fails; nothing is left under its name', async () => {
    const standIns = await createStandIns();
    try {
      const pigzPath = await standIns.script(
        'pigz',
        'cat >/dev/null; echo "pigz: abort: write error" >&2; exit 1',
      );
      const agent = await agentWith({ config: { pigzPath } });
      const { report } = await doctor(agent);
      const canary = check(report, 'canary');
      expect(canary.outcome).toBe('failed');
      expect(canary.detail).toMatch(/^COMPRESS_FAILED: /);
      expect(canary.detail).toContain('pigz: abort: write error');
      expect(canary.fix).toContain('installs pv, pigz and zstd');
      const [files] = await new Storage({ apiEndpoint: emulator.url, projectId: 'test-project' })
        .bucket(BUCKET)
        .getFiles({ prefix: `_canary/127.0.0.1-${new URL(agent.url).port}_` });
      expect(files).toEqual([]);
    } finally {
      await standIns.remove();
    }
  });

  it("fails the canary, not proven, when the object differs from the agent's signed account of it", async () => {
    const fake = await startFakeAgent({
      bytes: Buffer.from('canary bytes\n'),
      claim: { md5: 'AAAAAAAAAAAAAAAAAAAAAA==' },
    });
    try {
      const harness = await startFunction({
        emulator,
        gmail,
        bucket: BUCKET,
        key: testSigningKey().key,
        targets: [{ id: 'app', database: 'app', engine: 'sqlite', agentUrl: fake.url }],
      });
      const { report } = await harness.doctor().finally(() => harness.close());
      expect(check(report, 'route').outcome).toBe('passed');
      const canary = check(report, 'canary');
      expect(canary.outcome).toBe('failed');
      expect(canary.detail).toMatch(
        /^not proven: the object's md5 is \S+, the agent's is AAAAAAAAAAAAAAAAAAAAAA==$/,
      );
      expect(canary.fix).toContain('not what the agent sent');
    } finally {
      await fake.close();
    }
  });

  it('skips the route and the canary when the ping fails: nothing is asked of an agent that does not trust the function', async () => {
    const agent = await agentWith();
    const { report } = await doctor(agent, { key: testSigningKey(agent.key.id).key });
    expect(check(report, 'route')).toMatchObject({ outcome: 'skipped', detail: 'the ping failed' });
    expect(check(report, 'canary')).toMatchObject({ outcome: 'skipped', detail: 'the ping failed' });
  });

  it("fails the ping, naming BACKUP_AGENTS' publicKey, when the function expects another answer key", async () => {
    const agent = await agentWith();
    const stranger = generateKeyPair().publicKey.export({ type: 'spki', format: 'pem' }).toString();
    const { report } = await doctor(agent, { agents: { [agent.url]: { publicKey: stranger } } });
    const ping = check(report, 'ping');
    expect(ping.outcome).toBe('failed');
    expect(ping.detail).toContain('was refused');
    expect(ping.fix).toContain(
      "BACKUP_AGENTS' publicKey for this agent must be the public half of its responseKeyFile",
    );
  });

  it('fails the mail, naming the Gmail credentials, when Gmail refuses them', async () => {
    const agent = await agentWith();
    const before = gmail.messages.length;
    const wrong = JSON.stringify({
      client_id: OAUTH.clientId,
      client_secret: OAUTH.clientSecret,
      refresh_token: 'revoked-refresh-token',
      token_uri: gmail.tokenUrl,
    });
    const { report } = await doctor(agent, { env: { GMAIL_CREDENTIALS: wrong } });
    const mail = check(report, 'mail');
    expect(mail.outcome).toBe('failed');
    expect(mail.detail).toContain('the Gmail API did not send the alert');
    expect(mail.detail).not.toContain('revoked-refresh-token');
    expect(mail.fix).toContain("terraform/README.md's step 2");
    expect(check(report, 'ping').outcome).toBe('passed');
    expect(gmail.messages.length).toBe(before);
  });
});
