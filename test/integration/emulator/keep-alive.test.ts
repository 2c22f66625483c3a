// An idle connection stays open as Cloud Storage's does, far past Node's default of 5 s: a client that reuses it
// after a pause (the bench's delete after a 6-second contender) must not find it closed under its request.
import { Agent, request } from 'node:http';
import { setTimeout as sleep } from 'node:timers/promises';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type RunningEmulator, startEmulator } from '../../../emulator/index.js';

/** One GET on `agent`'s pooled connections: its status and whether it went out on a socket used before. */
function get(agent: Agent, url: string): Promise<{ status: number; reused: boolean }> {
  return new Promise((resolve, reject) => {
    const req = request(url, { agent }, (res) => {
      res.resume();
      res.on('end', () => resolve({ status: res.statusCode ?? 0, reused: req.reusedSocket }));
    });
    req.on('error', reject);
    req.end();
  });
}

describe('idle connections', () => {
  let emulator: RunningEmulator;
  const agent = new Agent({ keepAlive: true, maxSockets: 1 });

  beforeAll(async () => {
    emulator = await startEmulator();
  });
  afterAll(async () => {
    agent.destroy();
    await emulator?.close();
  });

  it('are kept past a 6-second pause and reused', async () => {
    const url = `${emulator.url}/storage/v1/b?project=test`;
    expect(await get(agent, url)).toEqual({ status: 200, reused: false });
    await sleep(6_000);
    expect(await get(agent, url)).toEqual({ status: 200, reused: true });
  });
});
