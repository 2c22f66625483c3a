// The function over https to an agent whose certificate no public CA signed: it trusts the private CA, or the one
// pinned certificate, that BACKUP_AGENTS names, and nothing else.
import { execFileSync } from 'node:child_process';
import { X509Certificate } from 'node:crypto';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type RunningEmulator, startEmulator } from '../../../emulator/index.js';
import { ensureDemoDatabase } from '../../../local/demo-database.js';
import { startTestAgent, type TestAgent } from '../../helpers/agent.js';
import { type GmailStub, startGmailStub } from '../../helpers/gmail-stub.js';
import { createBucket, OAUTH, outcomes, startFunction } from './harness.js';

const BUCKET = 'fn-tls';

function openssl(...args: string[]): void {
  execFileSync('openssl', args, { stdio: 'ignore' });
}

/** A CA, and a certificate for 127.0.0.1 it signed, in `dir`; and a second CA that signed nothing here. */
async function privatePki(dir: string) {
  const file = (name: string) => join(dir, name);
  const ec = ['-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:P-256', '-nodes'];
  for (const ca of ['ca', 'other-ca']) {
    openssl(
      'req',
      '-x509',
      ...ec,
      '-days',
      '1',
      '-subj',
      `/CN=${ca}`,
      '-keyout',
      file(`${ca}.key`),
      '-out',
      file(`${ca}.pem`),
    );
  }
  openssl(
    'req',
    '-new',
    ...ec,
    '-subj',
    '/CN=agent',
    '-keyout',
    file('agent.key'),
    '-out',
    file('agent.csr'),
  );
  await writeFile(file('san.ext'), 'subjectAltName=IP:127.0.0.1\n');
  openssl(
    'x509',
    '-req',
    '-in',
    file('agent.csr'),
    '-CA',
    file('ca.pem'),
    '-CAkey',
    file('ca.key'),
    '-CAcreateserial',
    '-days',
    '1',
    '-extfile',
    file('san.ext'),
    '-out',
    file('agent.pem'),
  );
  const cert = await readFile(file('agent.pem'), 'utf8');
  return {
    certFile: file('agent.pem'),
    keyFile: file('agent.key'),
    ca: await readFile(file('ca.pem'), 'utf8'),
    otherCa: await readFile(file('other-ca.pem'), 'utf8'),
    fingerprint: new X509Certificate(cert).fingerprint256.replaceAll(':', '').toLowerCase(),
  };
}

describe('the function trusting an agent over https', () => {
  let emulator: RunningEmulator;
  let gmail: GmailStub;
  let agent: TestAgent;
  let dir: string;
  let pki: Awaited<ReturnType<typeof privatePki>>;

  beforeAll(async () => {
    [emulator, gmail] = await Promise.all([startEmulator({ port: 0 }), startGmailStub({ oauth: OAUTH })]);
    await createBucket(emulator.url, BUCKET);
    dir = await mkdtemp(join(tmpdir(), 'agent-tls-'));
    pki = await privatePki(dir);
    await ensureDemoDatabase(join(dir, 'app.sqlite'));
    agent = await startTestAgent({
      targets: [{ id: 'app', engine: 'sqlite', database: 'app', path: join(dir, 'app.sqlite') }],
      uploads: { origin: emulator.url, buckets: [BUCKET] },
      config: { tls: { certFile: pki.certFile, keyFile: pki.keyFile } },
    });
  });
  afterAll(async () => {
    await Promise.all([agent?.remove(), emulator?.close(), gmail?.close()]);
    if (dir) await rm(dir, { recursive: true, force: true });
  });

  async function backup(prefix: string, tls: { tlsCaCert?: string; tlsCertSha256?: string }) {
    const harness = await startFunction({
      emulator,
      gmail,
      bucket: BUCKET,
      key: agent.key,
      targets: [{ id: 'app', database: 'app', engine: 'sqlite', agentUrl: agent.url }],
      agents: { [agent.url]: tls },
      env: { BACKUP_PREFIX: prefix },
    });
    const { report } = await harness.backup();
    await harness.close();
    return { outcome: outcomes(report).app, error: report.targets[0]?.error };
  }

  it('backs up when BACKUP_AGENTS names the CA that issued the certificate', async () => {
    expect(agent.url).toMatch(/^https:/);
    expect(await backup('ca/', { tlsCaCert: pki.ca })).toEqual({ outcome: 'succeeded', error: undefined });
  });

  it('backs up when BACKUP_AGENTS pins the certificate itself', async () => {
    expect(await backup('pinned/', { tlsCertSha256: pki.fingerprint })).toEqual({
      outcome: 'succeeded',
      error: undefined,
    });
  });

  it('does not talk to the agent under the public CAs, another CA, or another pin', async () => {
    const refused = [
      await backup('public-cas/', {}),
      await backup('other-ca/', { tlsCaCert: pki.otherCa }),
      await backup('other-pin/', { tlsCertSha256: 'ab'.repeat(32) }),
    ];
    for (const result of refused) {
      expect(result).toMatchObject({ outcome: 'failed', error: { code: 'AGENT_UNREACHABLE' } });
    }
    expect(refused[2]?.error?.message).toContain(`presented certificate ${pki.fingerprint}, not the pinned`);
  });
});
