#!/usr/bin/env node
// `db-backup` (the package's bin): the admin's command-line tool; see `db-backup --help`.
import { runCli } from './run-cli.js';

// To learn whether it runs on Google Cloud, the auth library pings the metadata server (169.254.169.254) and prints a
// MetadataLookupWarning when a workstation answers oddly. `bios-only` asks the machine's firmware and network cards
// instead: a Compute Engine VM still finds its service account, a workstation sends nothing. The admin's own setting
// is kept.
process.env.METADATA_SERVER_DETECTION ??= 'bios-only';

const code = await runCli({
  argv: process.argv.slice(2),
  env: process.env,
  stdout: process.stdout,
  stderr: process.stderr,
});
// Waits for stdout to drain before the process ends with the command's code.
process.exitCode = code;
