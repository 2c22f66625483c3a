// `npm run emulator -- --port 4443 --data ./.local/storage`: runs the emulator until interrupted.
import { parseArgs } from 'node:util';
import { FolderBusyError, startEmulator } from './index.js';

const USAGE = `Usage: npm run emulator -- [--port 4443] [--host 127.0.0.1] [--data <folder>]
  --port  port to listen on (0 picks a free one; default 4443)
  --host  address to listen on (default 127.0.0.1)
  --data  folder keeping objects across restarts (default: in memory, lost on exit)`;

async function main(): Promise<void> {
  const { values } = parseArgs({
    options: {
      port: { type: 'string', default: '4443' },
      host: { type: 'string', default: '127.0.0.1' },
      data: { type: 'string' },
      help: { type: 'boolean', short: 'h' },
    },
  });
  if (values.help) {
    console.log(USAGE);
    return;
  }
  const port = Number(values.port);
  if (!Number.isInteger(port) || port < 0 || port > 65535) throw new Error(`Invalid --port: ${values.port}`);
  const emulator = await startEmulator({ port, host: values.host, dataDir: values.data });
  console.log(`Cloud Storage emulator listening on ${emulator.url} (data: ${values.data ?? 'in memory'})`);
  const stop = (): void => {
    emulator.close().then(() => process.exit(0));
  };
  process.once('SIGINT', stop);
  process.once('SIGTERM', stop);
}

main().catch((error: unknown) => {
  if (error instanceof FolderBusyError) {
    // Another emulator (or a local stack's) serves the folder: say where, rather than run a second beside it.
    const attach = error.holder.url ? `point your client at ${error.holder.url}, or ` : '';
    console.error(`emulator: ${error.message}; ${attach}stop that process first`);
    process.exit(1);
  }
  console.error(error instanceof Error ? error.message : error);
  console.error(USAGE);
  process.exit(1);
});
