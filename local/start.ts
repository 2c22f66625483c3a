// `npm start`: runs the local stack, triggers `backup` once (or on a schedule with --watch), restores the demo
// backup into a scratch database with its check, and prints the outcomes, with no terminal control in them.

import { parseArgs } from 'node:util';
import { printable } from '../cli/printable.js';
import { FolderBusyError } from '../emulator/index.js';
import type { RunReport, TargetReport } from '../functions/report.js';
import { type LocalStack, startLocalStack } from './stack.js';

const USAGE = `usage: npm start -- [--data DIR] [--watch] [--every MINUTES]
  --data DIR       where objects, the demo database, logs and alerts live (default .local)
  --watch          keep the stack running; back up and restore every --every minutes (default 10) until Ctrl-C`;

/** Prints a line of the report: what came from storage, a tool or a database (a table's name) is printed as text only. */
function say(text: string): void {
  console.log(printable(text, true));
}

async function main(): Promise<number> {
  const { values } = parseArgs({
    options: {
      data: { type: 'string', default: '.local' },
      watch: { type: 'boolean', default: false },
      every: { type: 'string', default: '10' },
      help: { type: 'boolean', default: false },
    },
  });
  const everyMinutes = Number(values.every);
  if (values.help || !(everyMinutes > 0)) {
    say(USAGE);
    return values.help ? 0 : 2;
  }

  const stack = await startLocalStack(values.data);
  say(`Local stack (data in ${stack.paths.data})
  storage emulator    ${stack.emulatorUrl}  bucket ${stack.bucket}
${Object.entries(stack.urls)
  .map(([name, url]) => `  function ${name.padEnd(10)} ${url}`)
  .join('\n')}`);

  const cycle = async () => (await backupOnce(stack)) && (await restoreOnce(stack));
  const ok = await cycle();
  if (!values.watch) {
    await stack.close();
    return ok ? 0 : 1;
  }
  say(`\nBacking up and restoring every ${everyMinutes} minute(s); Ctrl-C stops. In another shell:
  npm run db-backup -- --local list`);
  const timer = setInterval(() => void cycle(), everyMinutes * 60_000);
  await new Promise<void>((done) => process.once('SIGINT', done));
  clearInterval(timer);
  await stack.close();
  return 0;
}

/** A retention end as the local stack (in UTC) names it: `2031-01-01 00:00 UTC`. */
function until(keptUntil: string | null): string {
  return keptUntil
    ? `until ${keptUntil.slice(0, 16).replace('T', ' ')} UTC`
    : 'no retention end (never checked)';
}

/** Calls `backup` as Cloud Scheduler would and prints each target's outcome with its stored object. */
async function backupOnce(stack: LocalStack): Promise<boolean> {
  const response = await fetch(stack.urls.backup, { method: 'POST' });
  const report = (await response.json()) as RunReport;
  say(`\nBackup run ${report.runId} for ${report.date}: ${report.status} (HTTP ${response.status})`);
  for (const target of report.targets) {
    say(`  ${target.targetId}: ${target.outcome}  gs://${stack.bucket}/${target.objectName}`);
    if (target.error) say(`    ${target.error.code}: ${target.error.message}`);
    if (target.outcome !== 'succeeded' && target.outcome !== 'exists') continue;
    const [metadata] = await stack.storage.bucket(stack.bucket).file(target.objectName).getMetadata();
    say(`    ${metadata.size} bytes, crc32c ${metadata.crc32c}, generation ${metadata.generation}`);
    if (target.retention)
      say(`    ${target.retention.class} copy, kept ${until(target.retention.keptUntil)}`);
    say(`    stored by the emulator under ${stack.paths.storage}`);
  }
  if (report.status !== 'ok') say(`  alert written to ${stack.paths.outbox}`);
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
  if (report.status !== 'ok') say(`  alert written to ${stack.paths.outbox}`);
  return report.status === 'ok';
}

/** What to do when another process holds the folder: talk to that stack, stop it, or use another folder. */
function busyAdvice(error: FolderBusyError): string {
  return `npm start: ${error.message}.
  Talk to it with \`npm run db-backup -- --local --data ${error.folder} …\`, stop it (pid ${error.holder.pid}),
  or give this one a folder of its own with --data DIR.`;
}

main().then(
  (code) => process.exit(code),
  (error: unknown) => {
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
