// The stand doctor is tested on: the storage emulator with one bucket, the Gmail stub, and real agents on loopback
// whose uploads go to the emulator, each checked by the function's doctor with the harness's configuration.
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { type Bucket, Storage } from '@google-cloud/storage';
import { type RunningEmulator, startEmulator } from '../../../emulator/index.js';
import type { DoctorCheck, DoctorReport } from '../../../functions/doctor/report.js';
import { ensureDemoDatabase } from '../../../local/demo-database.js';
import { startTestAgent, type TestAgent, type TestAgentOptions } from '../../helpers/agent.js';
import { type GmailStub, startGmailStub } from '../../helpers/gmail-stub.js';
import { createBucket, type HarnessOptions, OAUTH, startFunction } from '../functions/harness.js';

export const BUCKET = 'doctor-backups';

export interface DoctorStand {
  emulator: RunningEmulator;
  gmail: GmailStub;
  /** A folder of the stand's own, removed with it. */
  dir: string;
  bucket: Bucket;
  /** An agent with one SQLite target, uploading to the bucket, its storage host admitted (`options` over that). */
  agentWith(options?: Partial<TestAgentOptions>): Promise<TestAgent>;
  /** Runs doctor against `agent`, signing as `agent.key` unless the function is given another. */
  doctor(
    agent: TestAgent,
    options?: Partial<HarnessOptions>,
  ): Promise<{ status: number; report: DoctorReport }>;
  close(): Promise<void>;
}

export async function startDoctorStand(): Promise<DoctorStand> {
  const [emulator, gmail] = await Promise.all([startEmulator({ port: 0 }), startGmailStub({ oauth: OAUTH })]);
  await createBucket(emulator.url, BUCKET);
  const dir = await mkdtemp(join(tmpdir(), 'doctor-'));
  await ensureDemoDatabase(join(dir, 'app.sqlite'));
  const agents: TestAgent[] = [];
  return {
    emulator,
    gmail,
    dir,
    bucket: new Storage({ apiEndpoint: emulator.url, projectId: 'test-project' }).bucket(BUCKET),
    async agentWith(options = {}) {
      const agent = await startTestAgent({
        targets: [{ id: 'app', engine: 'sqlite', database: 'app', path: join(dir, 'app.sqlite') }],
        // The emulator on loopback stands in for Private Google Access's addresses, as in the local stack.
        uploads: { origin: emulator.url, buckets: [BUCKET], allowedRanges: ['127.0.0.0/8'] },
        ...options,
      });
      agents.push(agent);
      return agent;
    },
    async doctor(agent, options = {}) {
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
    },
    async close() {
      await Promise.all([...agents.map((agent) => agent.remove()), emulator.close(), gmail.close()]);
      await rm(dir, { recursive: true, force: true });
    },
  };
}

/** The report's row for `name`. */
export function check(report: DoctorReport, name: DoctorCheck['check']): DoctorCheck {
  const found = report.checks.find((entry) => entry.check === name);
  if (!found) throw new Error(`no ${name} check in ${JSON.stringify(report)}`);
  return found;
}
