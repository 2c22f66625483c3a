// `npm start`: runs the local stack, triggers `backup` once (or on a schedule with --watch), restores the demo
// backup into a scratch database with its check, and prints the outcomes, with no terminal control in them.

import { relative } from 'node:path';
import { CliError, EXIT } from '../cli/exit-codes.js';
import { day, time } from '../cli/format.js';
import { handleInterrupt } from '../cli/interrupt.js';
import { printable } from '../cli/printable.js';
import { isEncrypted } from '../core/formats.js';
import { FolderBusyError } from '../emulator/index.js';
import type { RunReport, TargetReport } from '../functions/run/report.js';
import { type LocalStack, startLocalStack } from './stack.js';
import { parseStartOptions, USAGE } from './start-options.js';

/** Prints a line of the report: what came from storage, a tool or a database (a table's name) is printed as text only. */
function say(text: string): void {
  console.log(printable(text, true));
}

/** A path as the admin typed it: relative to where npm start runs, when it is below it. */
function shown(path: string): string {
  const near = relative(process.cwd(), path);
  return near.startsWith('..') ? path : near;
}

async function main(): Promise<number> {
  const options = parseStartOptions(process.argv.slice(2));
  if (options.help) {
    say(USAGE);
    return EXIT.ok;
  }
  const stack = await startLocalStack(options.data, {
    // The alerts the stack writes, whoever's run caused them (this one, or db-backup's in another shell).
    onAlert: (alert) => say(`  alert written: ${alert.subject} (${shown(alert.file)})`),
  });
  // Ctrl-C stops the stack here, not the process alone: its agent cancels what runs — the upload session, so the
  // emulator drops its staged bytes, and a restore's scratch database — before the process ends.
  const interrupt = handleInterrupt({
    say,
    message: options.watch
      ? '\nCtrl-C: stopping the local stack; a backup or restore under way is cancelled (nothing partial is kept).'
      : '\nCtrl-C: cancelled; the local stack stops, and the backup or restore under way with it (nothing partial is kept).',
    cleanup: () => stack.close(),
    code: options.watch ? EXIT.ok : EXIT.interrupted,
  });
  say(`Local stack (data in ${stack.paths.data})
  storage emulator    ${stack.emulatorUrl}  bucket ${stack.bucket}
${Object.entries(stack.urls)
  .map(([name, url]) => `  function ${name.padEnd(10)} ${url}`)
  .join('\n')}`);

  const cycle = () =>
    (async () => (await backupOnce(stack)) && (await restoreOnce(stack)))().catch((error: Error) => {
      // After Ctrl-C the stack is closing under the cycle: the interrupt has said what happens, and ends the process.
      if (interrupt.signal.aborted) return new Promise<never>(() => {});
      if (!options.watch) throw error;
      say(`  this round failed: ${error.message}; the next one runs in ${options.everyMinutes} minute(s)`);
      return false;
    });
  const ok = await cycle();
  if (!options.watch) {
    interrupt.dispose();
    await stack.close();
    return ok ? EXIT.ok : EXIT.failed;
  }
  say(`\nBacking up and restoring every ${options.everyMinutes} minute(s); Ctrl-C stops. In another shell:
  npm run -s db-backup -- --local --data ${shown(stack.paths.data) || '.'} list`);
  setInterval(() => void cycle(), options.everyMinutes * 60_000);
  // Runs until Ctrl-C, which closes the stack and ends the process.
  return new Promise<number>(() => {});
}

/** A retention end, spelled as db-backup spells times: `until 2031-01-01 00:00 UTC`. */
function until(keptUntil: string | null): string {
  return keptUntil ? `until ${time(keptUntil)}` : 'no retention end (never checked)';
}

/** Calls `backup` as Cloud Scheduler would and prints each target's outcome with its stored object. */
async function backupOnce(stack: LocalStack): Promise<boolean> {
  const response = await fetch(stack.urls.backup, { method: 'POST' });
  const report = (await response.json()) as RunReport;
  say(`\nBackup run ${report.runId} for ${day(report.date)}: ${report.status} (HTTP ${response.status})`);
  for (const target of report.targets) {
    say(`  ${target.targetId}: ${target.outcome}  gs://${stack.bucket}/${target.objectName}`);
    if (target.error) say(`    ${target.error.code}: ${target.error.message}`);
    if (target.outcome !== 'succeeded' && target.outcome !== 'exists') continue;
    const [metadata] = await stack.storage.bucket(stack.bucket).file(target.objectName).getMetadata();
    say(`    ${metadata.size} bytes, crc32c ${metadata.crc32c}, generation ${metadata.generation}`);
    if (target.retention)
      say(`    ${target.retention.class} copy, kept ${until(target.retention.keptUntil)}`);
    say(`    stored by the emulator under ${stack.paths.storage}`);
    if (isEncrypted(target.objectName))
      say(`    encrypted with age for the key in ${stack.paths.ageIdentity} (age -d -i opens it)`);
  }
  await printKept(stack);
  say(`  logs: ${stack.paths.functionLog}, ${stack.paths.agentLogs}`);
  return report.status === 'ok';
}

/**
 * Runs lifecycle as Cloud Storage would, then prints every backup still kept, with its class and retention end,
 * from a dry run of `backup` (which changes nothing).
 */
async function printKept(stack: LocalStack): Promise<void> {
  const { changes } = await stack.runLifecycle();
  const gone = changes.filter((change) => change.outcome !== 'storageClassChanged');
  if (gone.length > 0) say(`  lifecycle: ${gone.length} backup(s) past their retention end removed`);
  const response = await fetch(`${stack.urls.backup}?dryRun=true`, { method: 'POST' });
  const { targets } = (await response.json()) as RunReport;
  say(`  backups kept in gs://${stack.bucket}:`);
  for (const kept of targets.flatMap((target: TargetReport) => target.kept ?? [])) {
    const newest = kept.newest ? '  (newest good copy)' : '';
    say(`    ${kept.objectName}  ${kept.class ?? 'unclassified'}  ${until(kept.keptUntil)}${newest}`);
  }
}

/** Restores the newest verified demo backup into its scratch database, as `db-backup restore demo` does. */
async function restoreOnce(stack: LocalStack): Promise<boolean> {
  const response = await fetch(`${stack.urls.restore}?database=demo`, { method: 'POST' });
  const report = (await response.json()) as RunReport;
  say(`\nRestore run ${report.runId}: ${report.status} (HTTP ${response.status})`);
  for (const target of report.targets) {
    const restore = target.restore;
    const seconds =
      restore?.durationMs === undefined ? '' : ` in ${(restore.durationMs / 1000).toFixed(2)} s`;
    say(
      `  ${target.targetId}: ${target.outcome}  ${target.objectName} into ${restore?.scratchDatabase}${seconds}`,
    );
    if (target.error) say(`    ${target.error.code}: ${target.error.message}`);
    for (const table of restore?.tables ?? []) {
      say(`    table ${table.name}: ${table.rows} rows`);
    }
    for (const check of restore?.checks ?? []) {
      const value = check.error ?? check.value;
      say(
        `    check "${check.name}": ${value} (must be ${check.expected}) ${check.ok ? 'passed' : 'FAILED'}`,
      );
    }
    if (restore) say(`    scratch database ${restore.scratchDatabase}: ${restore.scratch}`);
  }
  return report.status === 'ok';
}

/** What to do when another process holds the folder: talk to that stack, stop it, or use another folder. */
function busyAdvice(error: FolderBusyError): string {
  return `npm start: ${error.message}.
  Talk to it with \`npm run -s db-backup -- --local --data ${error.folder} …\`, stop it (pid ${error.holder.pid}),
  or give this one a folder of its own with --data DIR.`;
}

main().then(
  (code) => process.exit(code),
  (error: unknown) => {
    if (error instanceof CliError) {
      console.error(printable(`npm start: ${error.message}\n\n${USAGE}`, true));
      process.exit(error.exitCode);
    }
    if (error instanceof FolderBusyError) {
      console.error(printable(busyAdvice(error), true));
      process.exit(1);
    }
    console.error(
      printable(`npm start failed: ${error instanceof Error ? error.message : String(error)}`, true),
    );
    process.exit(1);
  },
);
