// Entry point: `node main.mjs --config /etc/db-backup/agent.json [--check-config]` (or DB_BACKUP_AGENT_CONFIG) in the
// release, which npm run package:agent bundles from here. Exits 78 on a bad config, or a required tool missing, so
// systemd does not restart into the same error.
import { readFileSync } from 'node:fs';
import { parseArgs } from 'node:util';
import { errorCodeOf } from '../core/errors.js';
import { nodeConfigFiles } from './config/files.js';
import { parseAgentConfig, printableConfig, requiredToolPaths } from './config/parse.js';
import { AGENT_DEFAULTS } from './config/schema.js';
import { createAgent } from './create-agent.js';
import { checkRequiredTools } from './pipeline/required-tools.js';

const EX_CONFIG = 78;

async function main(): Promise<void> {
  const { values } = parseArgs({
    options: { config: { type: 'string' }, 'check-config': { type: 'boolean' } },
  });
  const path = values.config ?? process.env.DB_BACKUP_AGENT_CONFIG ?? AGENT_DEFAULTS.configPath;
  let config: ReturnType<typeof parseAgentConfig>;
  try {
    config = parseAgentConfig(readFileSync(path, 'utf8'), nodeConfigFiles);
    // Also for --check-config, which install.sh runs before it restarts the agent.
    checkRequiredTools(requiredToolPaths(config));
  } catch (error) {
    process.stderr.write(`db-backup-agent: ${path}: ${(error as Error).message}\n`);
    process.exit(EX_CONFIG);
  }
  if (values['check-config']) {
    process.stdout.write(`${printableConfig(config)}\n`);
    return;
  }
  const agent = await createAgent(config);
  await agent.listen();
  let stopping = false;
  const stop = (signal: string) => {
    if (stopping) return;
    stopping = true;
    agent.log.info('agent.stopping', `received ${signal}: interrupting running jobs`);
    agent.close().then(
      () => process.exit(0),
      () => process.exit(1),
    );
  };
  process.on('SIGTERM', () => stop('SIGTERM'));
  process.on('SIGINT', () => stop('SIGINT'));
}

main().catch((error) => {
  process.stderr.write(`db-backup-agent: ${errorCodeOf(error)}: ${(error as Error).message}\n`);
  process.exit(1);
});
