// Unauthenticated traffic cannot fill the VM's disk: hundreds of unsigned requests with long targets, unknown
// routes and idle connections past the cap are refused (414, 401, 404, closed) and leave one summary line a
// minute in the log, counted by code, with nothing the caller sent in it; the journal gets the same line. Nor can
// one address holding connections open lock out a signed caller from another.
import { connect, type Socket } from 'node:net';
import { PassThrough } from 'node:stream';
import { Agent, fetch as undiciFetch } from 'undici';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { AGENT_PATHS } from '../../../core/protocol.js';
import { startTestAgent, type TestAgent } from '../../helpers/agent.js';

const LONG = 'a'.repeat(3000);

async function unsigned(url: string): Promise<number> {
  const response = await fetch(url);
  await response.arrayBuffer();
  return response.status;
}

/** Runs `count` calls of `send`, `parallel` at a time, and returns how many got each status. */
async function flood(count: number, parallel: number, send: () => Promise<number>) {
  const statuses: Record<number, number> = {};
  let next = 0;
  await Promise.all(
    Array.from({ length: parallel }, async () => {
      while (next < count) {
        next++;
        const status = await send();
        statuses[status] = (statuses[status] ?? 0) + 1;
      }
    }),
  );
  return statuses;
}

describe('an unauthenticated flood', () => {
  let agent: TestAgent;
  let capped: TestAgent;
  let crowded: TestAgent;
  let journal = '';

  beforeAll(async () => {
    const stdout = new PassThrough();
    stdout.on('data', (chunk: Buffer) => {
      journal += chunk.toString();
    });
    const targets = [
      { id: 'app', engine: 'sqlite' as const, database: 'app', path: '/nonexistent/app.sqlite' },
    ];
    // The deployed agent's one-minute window.
    agent = await startTestAgent({
      targets,
      config: { syslog: true },
      syslogStream: stdout,
      refusalWindowMs: 60_000,
    });
    capped = await startTestAgent({ targets, config: { maxConnections: 4 }, refusalWindowMs: 60_000 });
    // The deployed defaults: 32 connections, 8 from any one address.
    crowded = await startTestAgent({ targets, refusalWindowMs: 60_000 });
  });
  afterAll(() => Promise.all([agent?.remove(), capped?.remove(), crowded?.remove()]));

  /** The refusal summaries of an agent's log, once it stopped, and their counts by code. */
  async function summaries(of: TestAgent) {
    await of.close();
    const lines = await of.logLines();
    const found = lines.map((line) => JSON.parse(line)).filter((e) => e.event === 'request.unauthenticated');
    const counted: Record<string, number> = {};
    for (const summary of found) {
      for (const entry of summary.errorCodes as string[]) {
        const [code, count] = entry.split(':');
        counted[code as string] = (counted[code as string] ?? 0) + Number(count);
      }
    }
    return { lines, found, counted };
  }

  it('is refused request by request and logged as one summary, counted by code', async () => {
    expect(await flood(300, 3, () => unsigned(`${agent.url}/v1/jobs/${LONG}`))).toEqual({ 414: 300 });
    expect(await flood(100, 3, () => unsigned(`${agent.url}${AGENT_PATHS.job('job-1')}`))).toEqual({
      401: 100,
    });
    expect(await flood(20, 3, () => unsigned(`${agent.url}/${LONG.slice(0, 500)}`))).toEqual({ 404: 20 });

    const { lines, found, counted } = await summaries(agent);
    // One a minute: a window may end during the test.
    expect(found.length).toBeGreaterThanOrEqual(1);
    expect(found.length).toBeLessThanOrEqual(2);
    for (const summary of found) {
      expect(summary).toMatchObject({ level: 'warning', remoteAddresses: ['127.0.0.1'] });
    }
    expect(counted).toEqual({ URI_TOO_LONG: 300, SIGNATURE_MISSING: 100, ROUTE_UNKNOWN: 20 });
    expect(found.reduce((sum, summary) => sum + summary.refused, 0)).toBe(420);
    // Nothing the callers sent, and a log the size of a few lines, not of 420 requests.
    expect(lines.join('\n')).not.toContain('aaaaaaaaaa');
    expect(lines.join('\n').length).toBeLessThan(4096);
    expect(journal).toMatch(
      /\n<4>\{[^\n]*"event":"request\.unauthenticated"[^\n]*"errorCode":"URI_TOO_LONG"/,
    );
  });

  it('closes connections past the cap at once and counts them', async () => {
    const sockets: Socket[] = [];
    const closed: number[] = [];
    await new Promise<void>((done) => {
      for (let i = 0; i < 10; i++) {
        const socket = connect(capped.port, '127.0.0.1');
        socket.on('error', () => {});
        socket.on('close', () => {
          closed.push(i);
          if (closed.length === 6) done();
        });
        sockets.push(socket);
      }
    });
    // Four are kept, idle.
    expect(sockets.filter((socket) => !socket.destroyed)).toHaveLength(4);
    for (const socket of sockets) socket.destroy();
    const { counted } = await summaries(capped);
    expect(counted).toEqual({ CONNECTION_LIMIT: 6 });
  });

  it('leaves room for a signed request from another address while one address holds 40 connections half-open', async () => {
    const sockets: Socket[] = [];
    let closed = 0;
    await new Promise<void>((done) => {
      for (let i = 0; i < 40; i++) {
        const socket = connect({ port: crowded.port, host: '127.0.0.1', localAddress: '127.0.0.1' });
        socket.on('error', () => {});
        // Half a request, never finished.
        socket.on('connect', () => socket.write('GET /v1/jobs/x HTTP/1.1\r\nHost: agent\r\n'));
        socket.on('close', () => {
          if (++closed === 32) done();
        });
        sockets.push(socket);
      }
      // Past this, the ones still open are what the agent keeps.
      setTimeout(done, 3000);
    });
    expect(sockets.filter((socket) => !socket.destroyed)).toHaveLength(8);
    const elsewhere = new Agent({ localAddress: '127.0.0.2' });
    try {
      const answer = await crowded.request(AGENT_PATHS.job('no-such-job'), {
        fetch: ((url: string, init: object) =>
          undiciFetch(url, { ...init, dispatcher: elsewhere })) as unknown as typeof fetch,
      });
      expect(answer.status, answer.text).toBe(404);
    } finally {
      for (const socket of sockets) socket.destroy();
      await elsewhere.close();
    }
    const { counted } = await summaries(crowded);
    expect(counted).toEqual({ ADDRESS_CONNECTION_LIMIT: 32 });
  });
});
