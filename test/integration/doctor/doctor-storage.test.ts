// `doctor`'s checks of the path to storage: the agent's route (its storage host resolved into the ranges its unit
// admits, the TLS handshake) and the canary (uploaded through the backup's chain, proven against the agent's signed
// account) each fail, naming the fix, when the path is wrong; a check after a failed one is skipped.
import { readFile } from 'node:fs/promises';
import type { AddressInfo } from 'node:net';
import { createServer as createTlsServer } from 'node:tls';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { testSigningKey } from '../../helpers/agent.js';
import { selfSignedCertificate } from '../../helpers/certificate.js';
import { createStandIns } from '../../helpers/stand-in-tools.js';
import { startFakeAgent } from '../functions/fake-agent.js';
import { startFunction } from '../functions/harness.js';
import { BUCKET, check, type DoctorStand, startDoctorStand } from './doctor-stand.js';

let stand: DoctorStand;

beforeAll(async () => {
  stand = await startDoctorStand();
});

afterAll(async () => {
  await stand?.close();
});

describe('doctor: the path to storage', () => {
  it("fails the route, naming the private DNS zone, when the storage host resolves outside the unit's ranges", async () => {
    // Google's ranges, the default: the storage host (here the emulator's 127.0.0.1) is outside them.
    const agent = await stand.agentWith({ uploads: { origin: stand.emulator.url, buckets: [BUCKET] } });
    const { report } = await stand.doctor(agent);
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
    const certificate = await selfSignedCertificate(stand.dir, 'intercepting');
    const server = createTlsServer(
      { cert: await readFile(certificate.certFile), key: await readFile(certificate.keyFile) },
      (socket) => socket.end(),
    );
    await new Promise<void>((done) => server.listen(0, '127.0.0.1', done));
    try {
      const port = (server.address() as AddressInfo).port;
      const intercepted = await stand.agentWith({
        uploads: { origin: `https://127.0.0.1:${port}`, buckets: [BUCKET], allowedRanges: ['127.0.0.0/8'] },
      });
      const route = check((await stand.doctor(intercepted)).report, 'route');
      expect(route.outcome).toBe('failed');
      expect(route.detail).toMatch(/; the TLS handshake failed: self[- ]signed certificate/);
      expect(route.fix).toContain('intercepts TLS');
    } finally {
      server.close();
    }
  });

  it("fails the canary, naming agent.json's uploads, when the agent may not upload to the bucket", async () => {
    const agent = await stand.agentWith({
      uploads: { origin: stand.emulator.url, buckets: ['another-bucket'], allowedRanges: ['127.0.0.0/8'] },
    });
    const { report } = await stand.doctor(agent);
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
      const agent = await stand.agentWith({ config: { pigzPath } });
      const { report } = await stand.doctor(agent);
      const canary = check(report, 'canary');
      expect(canary.outcome).toBe('failed');
      expect(canary.detail).toMatch(/^COMPRESS_FAILED: /);
      expect(canary.detail).toContain('pigz: abort: write error');
      expect(canary.fix).toContain('installs pv, pigz and zstd');
      const [files] = await stand.bucket.getFiles({
        prefix: `_canary/127.0.0.1-${new URL(agent.url).port}_`,
      });
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
        emulator: stand.emulator,
        gmail: stand.gmail,
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
    const agent = await stand.agentWith();
    const { report } = await stand.doctor(agent, { key: testSigningKey(agent.key.id).key });
    expect(check(report, 'route')).toMatchObject({ outcome: 'skipped', detail: 'the ping failed' });
    expect(check(report, 'canary')).toMatchObject({ outcome: 'skipped', detail: 'the ping failed' });
  });
});
