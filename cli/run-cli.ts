// `db-backup`: the admin's one tool for what they do by hand — run, verify, restore, list, status — against the
// deployed functions or the local stack. Parses the command line, calls the function, prints, picks the exit code.
import { parseArgs } from 'node:util';
import type { ListReport, RunReport, StatusReport } from '../functions/api.js';
import { type Answer, type Authorize, adcAuthorize, callFunction } from './call-function.js';
import { COMMANDS, type Command } from './commands.js';
import { fetchVia, parseVia, VIA_ENV } from './connect-via.js';
import { FUNCTIONS_ENV, resolveEndpoints } from './endpoints.js';
import { CliError, EXIT, EXIT_CODES_HELP, type ExitCode } from './exit-codes.js';
import { printable, printableJson } from './printable.js';
import { progressPrinter } from './progress.js';
import { renderList, renderRun } from './render.js';
import { renderStatus } from './render-status.js';

export interface CliDeps {
  argv: string[];
  env: NodeJS.ProcessEnv;
  stdout: NodeJS.WritableStream;
  stderr: NodeJS.WritableStream & { isTTY?: boolean };
  /** The identity token source; Application Default Credentials by default. */
  authorize?: Authorize;
}

const GLOBAL_OPTIONS = {
  local: { type: 'boolean' },
  data: { type: 'string', default: '.local' },
  functions: { type: 'string' },
  via: { type: 'string' },
  json: { type: 'boolean' },
  quiet: { type: 'boolean' },
  help: { type: 'boolean', short: 'h' },
} as const;

const GLOBAL_HELP = [
  `--functions F  the deployed functions' URLs: terraform output -json function_urls, as a file or JSON (or ${FUNCTIONS_ENV})`,
  `--via H:P      reach the deployed functions through a tunnel's local end (or ${VIA_ENV}): terraform/README.md`,
  '--local        the local stack instead: the running `npm start -- --watch`, else one started for this command',
  '--data DIR     the local stack’s folder (default .local)',
  '--json         print the function’s answer as JSON, for scripts',
  '--quiet        no progress on stderr',
  '-h, --help     this help (after a command: that command’s)',
];

function mainHelp(): string {
  const commands = Object.entries(COMMANDS).map(
    ([name, command]) => `  ${name.padEnd(8)} ${command.summary}`,
  );
  return [
    'usage: db-backup [options] <command> [arguments]',
    '',
    'Commands:',
    ...commands,
    '',
    'Options:',
    ...GLOBAL_HELP.map((line) => `  ${line}`),
    '',
    'Calls the deployed functions with an identity token from Application Default Credentials',
    '(gcloud auth application-default login); run `db-backup <command> --help` for a command’s options.',
    '',
    EXIT_CODES_HELP,
  ].join('\n');
}

function commandHelp(name: string, command: Command): string {
  const options = [...command.optionHelp, ...GLOBAL_HELP].map((line) => `  ${line}`);
  return [
    `usage: db-backup ${command.usage}`,
    '',
    command.summary,
    '',
    'Options:',
    ...options,
    '',
    EXIT_CODES_HELP,
  ]
    .join('\n')
    .replace('db-backup run', `db-backup ${name}`.replace(name, 'run'));
}

/** Where the command's name is: the first argument that is neither an option nor a global option's value; -1 if none. */
function commandIndex(argv: string[]): number {
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i] as string;
    if (arg === '--data' || arg === '--functions' || arg === '--via') i++;
    else if (!arg.startsWith('-')) return i;
  }
  return -1;
}

function exitOf(command: Command, answer: Answer): ExitCode {
  if (answer.error) return answer.status < 500 ? EXIT.refused : EXIT.failed;
  if (command.show === 'list') return EXIT.ok;
  if (command.show === 'status')
    return (answer.report as StatusReport).problems.length > 0 ? EXIT.failed : EXIT.ok;
  const report = answer.report as RunReport;
  if (report.status === 'failed') return EXIT.failed;
  if (report.status === 'warning') return EXIT.warning;
  return report.targets.some((target) => target.outcome === 'running') ? EXIT.running : EXIT.ok;
}

function render(command: Command, report: unknown): string {
  if (command.show === 'list') return renderList(report as ListReport);
  if (command.show === 'status') return renderStatus(report as StatusReport);
  return renderRun(report as RunReport);
}

async function run(deps: CliDeps): Promise<ExitCode> {
  const at = commandIndex(deps.argv);
  const name = deps.argv[at];
  const command = name === undefined ? undefined : COMMANDS[name];
  if (!command) {
    if (name === undefined && deps.argv.some((arg) => arg === '--help' || arg === '-h')) {
      deps.stdout.write(`${mainHelp()}\n`);
      return EXIT.ok;
    }
    throw new CliError(EXIT.usage, name ? `unknown command ${name}\n\n${mainHelp()}` : mainHelp());
  }
  let parsed: ReturnType<typeof parseArgs>;
  try {
    const args = deps.argv.filter((_arg, index) => index !== at);
    parsed = parseArgs({
      args,
      options: { ...GLOBAL_OPTIONS, ...command.options },
      allowPositionals: true,
      strict: true,
    });
  } catch (error) {
    throw new CliError(EXIT.usage, `${(error as Error).message}\n\nusage: db-backup ${command.usage}`);
  }
  const { values, positionals } = parsed;
  if (values.help) {
    deps.stdout.write(`${commandHelp(name as string, command)}\n`);
    return EXIT.ok;
  }
  const call = command.call(values, positionals);
  const via = typeof values.via === 'string' ? values.via : deps.env[VIA_ENV];
  if (via && values.local)
    throw new CliError(EXIT.usage, '--via reaches the deployed functions, not the local stack');
  const viaFetch = via ? fetchVia(parseVia(via)) : undefined;
  const endpoints = await resolveEndpoints(
    {
      local: values.local === true,
      data: String(values.data),
      ...(typeof values.functions === 'string' && { functions: values.functions }),
    },
    deps.env,
  );
  try {
    const printer = progressPrinter(deps.stderr);
    const answer = await callFunction({
      url: endpoints.urls[call.name],
      query: call.query,
      ...(endpoints.authenticated && { authorize: deps.authorize ?? adcAuthorize() }),
      ...(viaFetch && { fetch: viaFetch }),
      ...(call.watch && !values.quiet && { onProgress: printer.show }),
      ...(call.watch && values.quiet && { onProgress: () => {} }),
    });
    printer.done();
    if (values.json)
      deps.stdout.write(`${printableJson(answer.error ? { error: answer.error } : answer.report)}\n`);
    else if (answer.report) deps.stdout.write(`${printable(render(command, answer.report), true)}\n`);
    if (answer.error)
      deps.stderr.write(`db-backup: ${printable(`${answer.error.code}: ${answer.error.message}`)}\n`);
    return exitOf(command, answer);
  } finally {
    await endpoints.close();
  }
}

/** Never throws: every failure is a line on stderr and its exit code. */
export async function runCli(deps: CliDeps): Promise<ExitCode> {
  try {
    return await run(deps);
  } catch (error) {
    const known = error instanceof CliError;
    const message = known ? error.message : `unexpected error: ${(error as Error).stack ?? error}`;
    deps.stderr.write(`db-backup: ${printable(message, true)}\n`);
    return known ? error.exitCode : EXIT.failed;
  }
}
