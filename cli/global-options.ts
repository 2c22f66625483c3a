// The options every command takes, each declared once with its help line: where the functions are (deployed, through
// a tunnel, or the local stack) and how the answer is printed.
import { VIA_ENV } from './connect-via.js';
import { FUNCTIONS_ENV } from './endpoints.js';

export const GLOBAL_OPTIONS = {
  local: { type: 'boolean' },
  data: { type: 'string', default: '.local' },
  functions: { type: 'string' },
  via: { type: 'string' },
  json: { type: 'boolean' },
  quiet: { type: 'boolean' },
  help: { type: 'boolean', short: 'h' },
  version: { type: 'boolean' },
} as const;

export const GLOBAL_HELP = [
  `--functions F  the deployed functions' URLs: terraform output -json function_urls, as a file or JSON (or ${FUNCTIONS_ENV})`,
  `--via H:P      reach the deployed functions through a tunnel's local end (or ${VIA_ENV}): terraform/README.md`,
  '--local        the local stack instead: the running `npm start -- --watch`, else one started for this command',
  '--data DIR     the local stack’s folder (default .local)',
  '--json         print the function’s answer as JSON, for scripts',
  '--quiet        no progress on stderr',
  '-h, --help     this help (after a command: that command’s)',
  '--version      the version of db-backup',
];
