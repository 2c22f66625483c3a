// `db-backup`: the admin's one tool for what they do by hand — run, verify, restore, drop-scratch, list, status,
// doctor — against the deployed functions or the local stack. Reads the command line, calls the function, prints,
// picks the exit code.
import { relative } from 'node:path';
import { packageVersion } from '../core/package-version.js';
import type {
  DoctorReport,
  DropScratchReport,
  ListReport,
  RunReport,
  StatusReport,
} from '../functions/api.js';
import { type Answer, callFunction } from './call-function.js';
import { type CommandLine, commandNamed, readCommandLine } from './command-line.js';
import type { Command } from './commands.js';
import { fetchVia, parseVia, VIA_ENV } from './connect-via.js';
import { type Authorize, adcAuthorize } from './credentials.js';
import { type Endpoints, resolveEndpoints } from './endpoints.js';
import { CliError, EXIT, type ExitCode } from './exit-codes.js';
import { commandHelp, mainHelp } from './help.js';
import { handleInterrupt } from './interrupt.js';
import { type Look, lookOf, type Output } from './look.js';
import { alertsOfRuns, outboxMails } from './outbox-alerts.js';
import { printable, printableJson } from './printable.js';
import { progressPrinter } from './progress.js';
import { renderDrop, renderList, renderRun } from './render.js';
import { renderDoctor } from './render-doctor.js';
import { renderStatus } from './render-status.js';

export interface CliDeps {
  argv: string[];
  env: NodeJS.ProcessEnv;
  stdout: Output;
  stderr: Output;
  /** The identity token source; Application Default Credentials by default. */
  authorize?: Authorize;
}

type Invocation = Extract<CommandLine, { kind: 'command' }>;

function exitOf(command: Command, answer: Answer): ExitCode {
  if (answer.error) return answer.status < 500 ? EXIT.refused : EXIT.failed;
  if (command.show === 'list' || command.show === 'drop') return EXIT.ok;
  if (command.show === 'doctor')
    return (answer.report as DoctorReport).status === 'ok' ? EXIT.ok : EXIT.failed;
  if (command.show === 'status')
    return (answer.report as StatusReport).problems.length > 0 ? EXIT.failed : EXIT.ok;
  const report = answer.report as RunReport;
  if (report.status === 'failed') return EXIT.failed;
  if (report.status === 'warning') return EXIT.warning;
  return report.targets.some((target) => target.outcome === 'running') ? EXIT.running : EXIT.ok;
}

function render(command: Command, report: unknown, look: Look): string {
  if (command.show === 'list') return renderList(report as ListReport, look);
  if (command.show === 'status') return renderStatus(report as StatusReport, look);
  if (command.show === 'drop') return renderDrop(report as DropScratchReport);
  if (command.show === 'doctor') return renderDoctor(report as DoctorReport, look);
  return renderRun(report as RunReport, look);
}

/** What Ctrl-C does to the command's run, said when it is pressed. */
function interruptMessage(command: Command, endpoints: Endpoints): string {
  if (endpoints.startedHere)
    return `db-backup: Ctrl-C: cancelled. The local stack runs inside this command (no \`npm start -- --watch\` holds ${endpoints.data}), so what it runs stops with it: the agent cancels the upload, keeping nothing partial, and drops a restore's scratch database. Stopping it...`;
  if (command.show !== 'run') return 'db-backup: Ctrl-C: stopped.';
  return 'db-backup: Ctrl-C: stopped waiting; the run goes on. Its agent finishes it and the function records how it ended (the next verify does, if the function stopped waiting first): `db-backup status` and `db-backup list` show it.';
}

/** The alerts the run wrote into the local stack's outbox, one line each: the local stack mails nobody. */
async function sayAlerts(deps: CliDeps, outbox: string, before: Set<string>, report: unknown) {
  const run = report as Partial<RunReport> | undefined;
  const runIds = [run?.runId, run?.drills?.runId].filter((id): id is string => Boolean(id));
  for (const alert of await alertsOfRuns(outbox, before, runIds)) {
    const file = relative(process.cwd(), alert.file);
    const where = file.startsWith('..') ? alert.file : file;
    deps.stderr.write(`db-backup: alert written: ${printable(alert.subject)} (${printable(where)})\n`);
  }
}

async function call(deps: CliDeps, { command, values, positionals }: Invocation): Promise<ExitCode> {
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
  const interrupt = handleInterrupt({
    say: (text) => deps.stderr.write(`${text}\n`),
    message: interruptMessage(command, endpoints),
    cleanup: () => endpoints.close(),
    code: EXIT.interrupted,
  });
  try {
    const outbox = endpoints.data && command.show === 'run' ? `${endpoints.data}/outbox` : undefined;
    const before = outbox ? await outboxMails(outbox) : new Set<string>();
    const printer = progressPrinter(deps.stderr);
    const answer = await callFunction({
      url: endpoints.urls[call.name],
      query: call.query,
      ...(endpoints.authenticated && { authorize: deps.authorize ?? adcAuthorize(deps.env, Boolean(via)) }),
      ...(viaFetch && { fetch: viaFetch }),
      ...(call.watch && { onProgress: values.quiet ? () => {} : printer.show }),
      signal: interrupt.signal,
    }).catch((error: unknown) => {
      // After Ctrl-C the call's end is no news: the interrupt says what happened, and ends the process.
      if (interrupt.signal.aborted) return new Promise<never>(() => {});
      throw error;
    });
    printer.done();
    if (values.json)
      deps.stdout.write(`${printableJson(answer.error ? { error: answer.error } : answer.report)}\n`);
    else if (answer.report)
      deps.stdout.write(`${render(command, answer.report, lookOf(deps.stdout, deps.env))}\n`);
    if (answer.error)
      deps.stderr.write(`db-backup: ${printable(`${answer.error.code}: ${answer.error.message}`)}\n`);
    if (outbox) await sayAlerts(deps, outbox, before, answer.report);
    return exitOf(command, answer);
  } finally {
    interrupt.dispose();
    await endpoints.close();
  }
}

async function run(deps: CliDeps): Promise<ExitCode> {
  const line = readCommandLine(deps.argv);
  if (line.kind === 'version') {
    deps.stdout.write(`db-backup ${packageVersion()}\n`);
    return EXIT.ok;
  }
  if (line.kind === 'help') {
    const help = line.command ? commandHelp(commandNamed(line.command)) : mainHelp();
    deps.stdout.write(`${help}\n`);
    return EXIT.ok;
  }
  if (line.kind === 'usage') {
    deps.stderr.write(`${mainHelp()}\n`);
    return EXIT.usage;
  }
  return call(deps, line);
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
