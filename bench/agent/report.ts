// The benchmark's table: throughput of the dump (uncompressed MB/s), ratios to the agent, the agent's peak RSS.

import type { Measurement } from './measure.js';

const MB = 1e6;

export function printReport(sizeGiB: number, results: Measurement[]): void {
  const dumpBytes = results.find((result) => result.dumpBytes !== undefined)?.dumpBytes ?? Number.NaN;
  const rate = (result: Measurement) => dumpBytes / MB / result.seconds;
  const byName = (prefix: string) => results.find((result) => result.name.startsWith(prefix));
  const lines = [
    '',
    `## MariaDB dump of ${(dumpBytes / 1024 ** 3).toFixed(2)} GiB (BENCH_SIZE_GIB ${sizeGiB})`,
    '',
    '| pipeline | seconds | dump MB/s | compressed MiB | agent peak RSS MiB | agent CPU s | emulator CPU s |',
    '| --- | ---: | ---: | ---: | ---: | ---: | ---: |',
    ...results.map(
      (result) =>
        `| ${result.name} | ${result.seconds.toFixed(1)} | ${rate(result).toFixed(1)} | ${
          result.outputBytes === undefined ? '' : (result.outputBytes / 1024 ** 2).toFixed(0)
        } | ${result.peakRssMiB === undefined ? '' : result.peakRssMiB.toFixed(0)} | ${
          result.agentCpuSeconds === undefined ? '' : result.agentCpuSeconds.toFixed(1)
        } | ${result.storageCpuSeconds?.toFixed(1) ?? ''} |`,
    ),
    '',
  ];
  const ratio = (a?: Measurement, b?: Measurement) => (a && b ? (rate(a) / rate(b)).toFixed(2) : 'n/a');
  const agentGzip = byName('agent gzip');
  const agentZstd = byName('agent zstd');
  lines.push(
    `- agent gzip-6 / (dump | gzip -6 | gcloud): ${ratio(agentGzip, byName('dump | gzip -6 | gcloud'))} (target ≥ 1)`,
    `- agent zstd-3 / (dump | gzip -6 | gcloud): ${ratio(agentZstd, byName('dump | gzip -6 | gcloud'))} (target > 1)`,
    `- agent gzip-6 / (dump | gzip -6 > /dev/null): ${ratio(agentGzip, byName('dump | gzip -6 > /dev/null'))} (target ≥ 0.85)`,
    `- agent zstd-3 / (dump | zstd -3 > /dev/null): ${ratio(agentZstd, byName('dump | zstd -3 -T0 > /dev/null'))}`,
    `- agent peak RSS: ${results
      .filter((result) => result.peakRssMiB !== undefined)
      .map((result) => `${result.peakRssMiB?.toFixed(0)} MiB`)
      .join(', ')} (target < 150 MiB)`,
  );
  console.log(lines.join('\n'));
}
