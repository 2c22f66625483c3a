#!/usr/bin/env node
// `db-backup` (the package's bin): the admin's command-line tool; see `db-backup --help`.
import { runCli } from './run-cli.js';

const code = await runCli({
  argv: process.argv.slice(2),
  env: process.env,
  stdout: process.stdout,
  stderr: process.stderr,
});
// Waits for stdout to drain before the process ends with the command's code.
process.exitCode = code;
