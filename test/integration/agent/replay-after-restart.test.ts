// Replay protection across a restart: a signed request accepted before the agent stops is refused when
// replayed, byte for byte, to the agent started again on the same state folder.
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { NONCE_LOG } from '../../../agent/http/file-nonce-store.js';
import { AGENT_PATHS, errorBodySchema } from '../../../core/protocol.js';
import { refusalSummary, startTestAgent, type TestAgent, testSigningKey } from '../../helpers/agent.js';

type CapturedRequest = { method: string; url: string; headers: Record<string, string>; body: string };

describe('replay protection across an agent restart', () => {
  const signingKey = testSigningKey();
  const targets = [{ id: 'app', engine: 'mongodb' as const, database: 'app', toolPath: '/bin/false' }];
  const agents: TestAgent[] = [];
  afterEach(async () => {
    const last = agents.at(-1);
    for (const agent of agents.splice(0)) await agent.close();
    await last?.remove();
  });

  // The restart keeps the port: the signature covers the URI, host and port included.
  const start = async (previous?: TestAgent) => {
    const agent = await startTestAgent({
      targets,
      signingKey,
      dir: previous?.dir,
      config: previous && { listen: { host: '127.0.0.1', port: previous.port } },
    });
    agents.push(agent);
    return agent;
  };

  it('refuses a request accepted before the restart, logging SIGNATURE_REPLAYED', async () => {
    const first = await start();
    let captured: CapturedRequest | undefined;
    const accepted = await first.request(AGENT_PATHS.run('run-1'), {
      tamper: (request) => {
        captured = structuredClone(request);
      },
    });
    // Past the signature check: the look-up itself answers.
    expect(accepted.status).toBe(404);
    expect(errorBodySchema.parse(accepted.json).error.code).not.toBe('UNAUTHENTICATED');
    if (!captured) throw new Error('no request captured');
    const nonce = /nonce="([^"]+)"/.exec(captured.headers['signature-input'] ?? '')?.[1];
    expect(nonce).toBeDefined();
    expect(await readFile(join(first.stateDir, NONCE_LOG), 'utf8')).toContain(`${nonce}\t`);
    await first.close();

    const second = await start(first);
    const replayed = await fetch(captured.url, {
      method: captured.method,
      headers: captured.headers,
    });
    expect(replayed.status).toBe(401);
    expect(errorBodySchema.parse(await replayed.json()).error.code).toBe('UNAUTHENTICATED');
    const refused = await second.waitForLog(refusalSummary('SIGNATURE_REPLAYED'));
    expect(refused).toMatchObject({ level: 'warning', refused: 1 });

    // A fresh signature is still accepted by the restarted agent.
    expect((await second.request(AGENT_PATHS.run('run-1'))).status).toBe(404);
  });
});
