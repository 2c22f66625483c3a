// Every answer of the agent to a signed request is signed with the agent's own key and bound to that request,
// refusals included; an unsigned request, which no function sends, gets an answer with no signature.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { AGENT_PATHS } from '../../../core/protocol.js';
import {
  type HttpRequest,
  keyThumbprint,
  loadPublicKey,
  sign,
  verifyResponse,
} from '../../../core/signing/index.js';
import { startTestAgent, type TestAgent } from '../../helpers/agent.js';

describe("the agent's answers", () => {
  let agent: TestAgent;
  beforeAll(async () => {
    agent = await startTestAgent({
      targets: [{ id: 'app', engine: 'sqlite', database: 'app', path: '/nonexistent/app.sqlite' }],
    });
  });
  afterAll(() => agent?.remove());

  const answerKey = () => {
    const publicKey = loadPublicKey(agent.answerKey);
    return { publicKey, keyId: keyThumbprint(publicKey) };
  };

  /** Sends a request signed at `now` and verifies the answer as the function does. */
  async function exchange(path: string, now = new Date()) {
    const request: HttpRequest = {
      method: 'GET',
      url: `${agent.url}${path}`,
      headers: { 'content-type': 'application/json' },
      body: '',
    };
    const signed = { ...request, headers: { ...request.headers, ...sign(request, agent.key, now) } };
    const response = await fetch(signed.url, { headers: signed.headers });
    const answer = {
      status: response.status,
      headers: Object.fromEntries(response.headers),
      body: Buffer.from(await response.arrayBuffer()),
    };
    return { signed, answer };
  }

  it('signs answers and refusals alike, each for its own request only', async () => {
    const found = await exchange(AGENT_PATHS.job('job-1'));
    const expired = await exchange(AGENT_PATHS.job('job-1'), new Date(Date.now() - 3_600_000));
    expect([found.answer.status, expired.answer.status]).toEqual([404, 401]);
    for (const { signed, answer } of [found, expired]) {
      expect(answer.headers['signature-input']).toMatch(/^res1=\(/);
      expect(() => verifyResponse(answer, signed, answerKey())).not.toThrow();
    }
    expect(() => verifyResponse(found.answer, expired.signed, answerKey())).toThrow(
      expect.objectContaining({ code: 'AGENT_RESPONSE_UNBOUND' }),
    );
  });

  it('sends no signature to a request that carries none', async () => {
    const response = await fetch(`${agent.url}${AGENT_PATHS.job('job-1')}`);
    expect(response.status).toBe(401);
    expect(response.headers.get('signature')).toBeNull();
    expect(response.headers.get('signature-input')).toBeNull();
  });
});
