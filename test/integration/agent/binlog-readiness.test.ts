// The first question of binary-log shipping, asked as the function asks it (its agent client, signed both ways) of a
// real agent and real MariaDB servers: a server with ROW binary logs is ready, and is named; one without binary
// logging, one in another format, or a target that is not MySQL's is refused BINLOG_NOT_READY naming what to change.
import { createPublicKey } from 'node:crypto';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type AgentClient, agentClientFor } from '../../../functions/agent/agent-client.js';
import { AgentError } from '../../../functions/agent/agent-error.js';
import { systemClock } from '../../../functions/run/clock.js';
import { startTestAgent, type TestAgent } from '../../helpers/agent.js';
import { type MariaDb, startMariaDb } from '../../helpers/mariadb.js';
import { unavailable } from '../../helpers/provisioned.js';

describe.skipIf(unavailable('mariadb') !== undefined)('whether binary logs can be shipped', () => {
  let logging: MariaDb;
  let plain: MariaDb;
  let dir: string;
  let agent: TestAgent;
  let client: AgentClient;

  beforeAll(async () => {
    [logging, plain] = await Promise.all([startMariaDb({ binlog: { serverId: 11 } }), startMariaDb()]);
    dir = await mkdtemp(join(tmpdir(), 'agent-binlog-'));
    const target = async (id: string, db: MariaDb) => {
      const passwordFile = join(dir, `${id}.password`);
      await writeFile(passwordFile, `${db.password}\n`, { mode: 0o600 });
      const { host, port, user } = db;
      return { id, engine: 'mysql' as const, database: 'mysql', host, port, user, passwordFile };
    };
    agent = await startTestAgent({
      targets: [
        await target('logging', logging),
        await target('plain', plain),
        { id: 'lite', engine: 'sqlite', database: 'lite', path: join(dir, 'lite.db') },
      ],
    });
    client = agentClientFor(
      {
        signingKey: agent.key,
        agentTimeoutSeconds: 30,
        agents: [{ url: agent.url, publicKey: createPublicKey(agent.answerKey) }],
      },
      { fetch: globalThis.fetch, clock: systemClock },
    );
  });

  afterAll(async () => {
    await agent?.remove();
    await Promise.all([logging?.stop(), plain?.stop()]);
    if (dir) await rm(dir, { recursive: true, force: true });
  });

  /** The agent's refusal, as the function's client reports it. */
  async function refusal(targetId: string): Promise<AgentError> {
    const error = await client.binlogReadiness(agent.url, targetId).then(
      () => undefined,
      (thrown: unknown) => thrown,
    );
    expect(error).toBeInstanceOf(AgentError);
    return error as AgentError;
  }

  it('answers for a MariaDB server with ROW binary logs, naming the server', async () => {
    expect(await client.binlogReadiness(agent.url, 'logging')).toEqual({
      targetId: 'logging',
      format: 'ROW',
      server: { serverId: 11, gtidDomainId: 0 },
    });
  });

  it('refuses a server without binary logging, naming log_bin', async () => {
    const error = await refusal('plain');
    expect(error.context).toMatchObject({ status: 409, agentCode: 'BINLOG_NOT_READY' });
    expect(error.message).toContain(
      'the binary logs of plain cannot be shipped: log_bin is OFF on its server; start the server with log_bin and binlog_format=ROW',
    );
  });

  it('refuses a server whose binlog_format is not ROW, naming it', async () => {
    await logging.exec("SET GLOBAL binlog_format = 'MIXED';");
    try {
      const error = await refusal('logging');
      expect(error.context).toMatchObject({ status: 409, agentCode: 'BINLOG_NOT_READY' });
      expect(error.message).toContain('binlog_format is MIXED on its server; set binlog_format=ROW');
    } finally {
      await logging.exec("SET GLOBAL binlog_format = 'ROW';");
    }
  });

  it('refuses a target that is not MySQL, and one it does not know', async () => {
    expect((await refusal('lite')).message).toContain("it is a sqlite target; binary logs are MySQL's");
    expect((await refusal('nowhere')).context).toMatchObject({ status: 404, agentCode: 'TARGET_UNKNOWN' });
  });
});
