// `npm start`'s command line, read as db-backup reads its own: each mistake named (with the nearest right spelling),
// then the usage, rather than the usage alone.
import { parseArgs } from 'node:util';
import { checkOptions } from '../cli/command-line.js';
import { CliError, EXIT } from '../cli/exit-codes.js';

export const USAGE = `usage: npm start -- [--data DIR] [--watch [--every MINUTES]]
  --data DIR       where objects, the demo database, logs and alerts live (default .local)
  --watch          keep the stack running; back up and restore every --every minutes (default 10) until Ctrl-C
  --every MINUTES  with --watch: minutes between two backups, more than 0`;

export type StartOptions =
  | { help: true }
  | { help: false; data: string; watch: boolean; everyMinutes: number };

const OPTIONS = {
  data: { type: 'string', default: '.local' },
  watch: { type: 'boolean', default: false },
  every: { type: 'string' },
  help: { type: 'boolean', default: false },
} as const;

/** The options, or a CliError (exit 2) naming what is wrong. */
export function parseStartOptions(args: string[]): StartOptions {
  checkOptions(args, OPTIONS, 'npm start');
  const { values, positionals } = parseArgs({ args, options: OPTIONS, allowPositionals: true });
  if (positionals.length > 0)
    throw new CliError(EXIT.usage, `npm start takes options only, not ${positionals.join(' ')}`);
  if (values.help) return { help: true };
  if (values.every !== undefined && !values.watch)
    throw new CliError(
      EXIT.usage,
      '--every needs --watch: without it npm start backs up and restores once, then stops',
    );
  const everyMinutes = Number(values.every ?? '10');
  if (!(everyMinutes > 0 && Number.isFinite(everyMinutes)))
    throw new CliError(
      EXIT.usage,
      `--every ${values.every}: give the minutes between two backups as a number above 0, e.g. --every 10`,
    );
  return { help: false, data: values.data, watch: values.watch, everyMinutes };
}
