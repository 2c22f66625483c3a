// The binary-log bench's agent side, in a process of its own (the sink stays in the bench's): reads a ShipChildInput
// as JSON on stdin, ships each log through the agent's shipping path one after the other, prints `{ seconds }`.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { text } from 'node:stream/consumers';
import { createBinlogReadiness } from '../../agent/binlog/readiness.js';
import { createShipLog } from '../../agent/binlog/ship-log.js';
import { type MysqlTarget, targetConfigSchema } from '../../agent/engines/index.js';
import { binlogSettingsCommand } from '../../agent/engines/mysql.js';
import { shipLogCommand } from '../../agent/engines/mysql-binlog-commands.js';
import { createAgentLog } from '../../agent/log/agent-log.js';
import { createRedactor } from '../../agent/log/redact.js';
import { createSessionCanceller } from '../../agent/pipeline/cancel-session.js';
import { DEFAULT_RETRY_POLICY } from '../../agent/pipeline/retrying.js';

export interface ShipChildInput {
  host: string;
  port: number;
  user: string;
  password: string;
  /** The logs in order, each with the session the bench opened for it. */
  sessions: { file: string; size: number; uploadUri: string }[];
}

const input = JSON.parse(await text(process.stdin)) as ShipChildInput;
const dir = mkdtempSync(join(tmpdir(), 'ship-child-'));
const target = targetConfigSchema.parse({
  id: 'bench',
  engine: 'mysql',
  database: 'bench',
  host: input.host,
  port: input.port,
  user: input.user,
}) as MysqlTarget;
const redact = createRedactor([input.password]).redact;
const secrets = { password: input.password };
const log = createAgentLog({ dir, redact });
const ship = createShipLog({
  targets: [target],
  resolve: { shipLog: (t, into, file) => shipLogCommand(t, secrets, into, file) },
  readiness: createBinlogReadiness(
    [target],
    { binlogSettings: (t) => binlogSettingsCommand(t, secrets) },
    redact,
  ),
  encryption: { encryption: 'off', recipients: [] },
  settings: {
    zstdPath: 'zstd',
    pigzPath: 'pigz',
    pvPath: 'pv',
    agePath: 'age',
    chunkSize: 8 * 1024 * 1024,
    retry: DEFAULT_RETRY_POLICY,
    redact,
  },
  cancelSession: createSessionCanceller(log),
  log,
});
const started = performance.now();
for (const session of input.sessions) {
  const request = { ...session, compression: { algorithm: 'zstd' as const, level: 3 } };
  const result = await ship('bench', request, new AbortController().signal);
  if (!result.ok)
    throw new Error(`shipping ${session.file} failed: ${result.errorCode} ${result.errorMessage}`);
}
const seconds = (performance.now() - started) / 1000;
rmSync(dir, { recursive: true, force: true });
process.stdout.write(JSON.stringify({ seconds }));
