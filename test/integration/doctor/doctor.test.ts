// `doctor` against real agents, the storage emulator and the Gmail stub: every check passes on a sound path, and the
// signed ping and the test mail each fail, naming the fix, when the agent does not trust the function's key, when its
// clock is wrong, when the function expects another answer key of it, or when Gmail refuses the credentials.
import { gunzipSync } from 'node:zlib';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { generateKeyPair } from '../../../core/signing/index.js';
import { testSigningKey } from '../../helpers/agent.js';
import { deliveredSince, OAUTH } from '../functions/harness.js';
import { check, type DoctorStand, startDoctorStand } from './doctor-stand.js';

let stand: DoctorStand;

beforeAll(async () => {
  stand = await startDoctorStand();
});

afterAll(async () => {
  await stand?.close();
});

describe('doctor', () => {
  it('passes every check on a sound path: the signed ping, the canary proven, the test mail delivered', async () => {
    const agent = await stand.agentWith();
    const before = stand.gmail.messages.length;
    const { status, report } = await stand.doctor(agent);
    expect(report.checks.filter((entry) => entry.outcome !== 'passed')).toEqual([]);
    expect(status).toBe(200);
    expect(report.status).toBe('ok');
    const ping = check(report, 'ping');
    expect(ping.subject).toBe(new URL(agent.url).host);
    expect(ping.detail).toMatch(
      /^version \d+\.\d+\.\d+\S*, clock (in step|[\d.]+ s (ahead of|behind) the function's), key id test-key$/,
    );
    expect(check(report, 'route').detail).toBe(
      `127.0.0.1 resolves to 127.0.0.1, within 127.0.0.0/8; connected to 127.0.0.1:${new URL(stand.emulator.url).port} (plain HTTP origin: no TLS to check)`,
    );
    // The canary is in the bucket under the canary folder: the bytes the pipeline made, ending with its mark.
    const canary = check(report, 'canary');
    expect(canary.outcome).toBe('passed');
    const name = /_canary\/\S+\.canary/.exec(canary.detail)?.[0] as string;
    expect(name.startsWith(`_canary/127.0.0.1-${new URL(agent.url).port}_`)).toBe(true);
    const [bytes] = await stand.bucket.file(name).download();
    const text = gunzipSync(bytes).toString('utf8');
    expect(text).toMatch(/\n-- db-backup canary [0-9a-f-]{36} complete\n$/);
    expect(canary.detail).toBe(
      `${text.length} bytes through dump → pv → pv → pigz, ${name} (${bytes.length} bytes): size, CRC32C and MD5 as the agent signed them`,
    );
    const [mail] = await deliveredSince(stand.gmail, before);
    expect(mail?.subject).toBe('[db-backup] test alert from doctor');
    expect(check(report, 'mail').detail).toBe('test mail sent to admin@example.com');
  });

  it("fails the ping, naming trustedKeys, when the agent does not trust the function's key", async () => {
    const agent = await stand.agentWith();
    // The same key id, another key: what an agent.json left with the example's key looks like.
    const { key } = testSigningKey(agent.key.id);
    const { status, report } = await stand.doctor(agent, { key });
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
      const agent = await stand.agentWith({ now: () => new Date(Date.now() + offset) });
      const { report } = await stand.doctor(agent);
      const ping = check(report, 'ping');
      expect(ping.outcome).toBe('failed');
      expect(ping.detail).toMatch(detail);
      expect(ping.fix).toContain('timedatectl set-ntp true');
    },
  );

  it("fails the ping, naming BACKUP_AGENTS' publicKey, when the function expects another answer key", async () => {
    const agent = await stand.agentWith();
    const stranger = generateKeyPair().publicKey.export({ type: 'spki', format: 'pem' }).toString();
    const { report } = await stand.doctor(agent, { agents: { [agent.url]: { publicKey: stranger } } });
    const ping = check(report, 'ping');
    expect(ping.outcome).toBe('failed');
    expect(ping.detail).toContain('was refused');
    expect(ping.fix).toContain(
      "BACKUP_AGENTS' publicKey for this agent must be the public half of its responseKeyFile",
    );
  });

  it('fails the mail, naming the Gmail credentials, when Gmail refuses them', async () => {
    const agent = await stand.agentWith();
    const before = stand.gmail.messages.length;
    const wrong = JSON.stringify({
      client_id: OAUTH.clientId,
      client_secret: OAUTH.clientSecret,
      refresh_token: 'revoked-refresh-token',
      token_uri: stand.gmail.tokenUrl,
    });
    const { report } = await stand.doctor(agent, { env: { GMAIL_CREDENTIALS: wrong } });
    const mail = check(report, 'mail');
    expect(mail.outcome).toBe('failed');
    expect(mail.detail).toContain('the Gmail API did not send the alert');
    expect(mail.detail).not.toContain('revoked-refresh-token');
    expect(mail.fix).toContain("terraform/README.md's step 2");
    expect(check(report, 'ping').outcome).toBe('passed');
    expect(stand.gmail.messages.length).toBe(before);
  });
});
