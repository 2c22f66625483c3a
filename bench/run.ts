// `npm run bench [-- --json]`: the agent pipeline benchmark at BENCH_SIZE_GIB and four times that
// (BENCH_SKIP_LARGE=1 skips the large round, BENCH_ONLY=id,id runs a few pipelines), then the restore figure at
// BENCH_SIZE_GIB (BENCH_SKIP_RESTORE=1 skips it), then binary-log shipping at BENCH_SIZE_GIB (BENCH_SKIP_BINLOG=1
// skips it; `-- --binlog` runs it alone); progress goes to stderr.
import { loadavg } from 'node:os';
import { benchAtSize } from './agent/agent-bench.js';
import { formatBinlogReport, runBinlogBench } from './agent/binlog-bench.js';
import { compileBackupChild } from './agent/compile-child.js';
import { selectedContenders } from './agent/contenders.js';
import { buildReport, formatReport } from './agent/report.js';
import { formatRestoreReport, runRestoreBench } from './restore/restore-bench.js';

async function main(): Promise<void> {
  const json = process.argv.slice(2).includes('--json');
  const sizeGiB = Number(process.env.BENCH_SIZE_GIB ?? 1);
  if (!(sizeGiB > 0))
    throw new Error(`BENCH_SIZE_GIB must be a positive number, not ${process.env.BENCH_SIZE_GIB}`);
  if (process.argv.slice(2).includes('--binlog')) {
    const binlog = await runBinlogBench(sizeGiB);
    console.log(json ? JSON.stringify({ binlog }, null, 2) : formatBinlogReport(binlog));
    return;
  }
  const sizes = process.env.BENCH_SKIP_LARGE === '1' ? [sizeGiB] : [sizeGiB, sizeGiB * 4];
  const ids = selectedContenders();
  const loadAtStart = loadavg();
  const childPath = await compileBackupChild();
  const results = [];
  for (const size of sizes) results.push(await benchAtSize(size, ids, childPath));
  const report = buildReport(results, loadAtStart);
  const restore = process.env.BENCH_SKIP_RESTORE === '1' ? undefined : await runRestoreBench(sizeGiB);
  const binlog = process.env.BENCH_SKIP_BINLOG === '1' ? undefined : await runBinlogBench(sizeGiB);
  if (json)
    console.log(
      JSON.stringify({ ...report, ...(restore && { restore }), ...(binlog && { binlog }) }, null, 2),
    );
  else
    console.log(
      [
        formatReport(report),
        ...(restore ? [formatRestoreReport(restore)] : []),
        ...(binlog ? [formatBinlogReport(binlog)] : []),
      ].join('\n'),
    );
}

main().catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});
