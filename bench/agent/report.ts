// The benchmark's figures as one JSON object with fixed keys, and as the tables and target checks a person reads.

import { availableParallelism, loadavg } from 'node:os';
import type { SizeResult } from './agent-bench.js';
import { CONTENDER_IDS, type ContenderId, describeContender } from './contenders.js';
import type { Measurement } from './measure.js';

const MB = 1e6;
const MIB = 1024 ** 2;
const GIB = 1024 ** 3;

export interface PipelineFigures {
  name: string;
  seconds: number;
  /** Dump bytes per second, in MB: every pipeline moves the same dump. */
  mbPerSecond: number | null;
  peakRssMiB: number;
  cpuSeconds: number;
  agentCpuSeconds: number | null;
  agentMainThreadCpuSeconds: number | null;
  meterCpuSeconds: number | null;
  eventLoopDelayP99Ms: number | null;
  eventLoopDelayMaxMs: number | null;
  agentCpuSecondsPerCompressedGiB: number | null;
  storageCpuSeconds: number | null;
  serverCpuSeconds: number | null;
  compressedMiB: number | null;
}

export interface TargetCheck {
  value: number | null;
  target: string;
  met: boolean | null;
}

export interface SizeReport {
  sizeGiB: number;
  dumpBytes: number | null;
  pipelines: Record<ContenderId, PipelineFigures | null>;
  targets: Record<
    | 'zstdSinkVsDevNull'
    | 'gzipSinkVsDevNull'
    | 'zstdAgeVsZstdSink'
    | 'zstdAgeRssGrowthMiB'
    | 'agentCpuPerCompressedGiB'
    | 'agentPeakRssMiB',
    TargetCheck
  >;
}

export interface BenchReport {
  machine: { cores: number; loadAverageAtStart: number[]; loadAverageAtEnd: number[] };
  sizes: SizeReport[];
}

const round = (value: number | undefined, digits = 2) =>
  value === undefined || !Number.isFinite(value) ? null : Number(value.toFixed(digits));

function figures(
  id: ContenderId,
  result: Measurement | undefined,
  dumpBytes: number | null,
): PipelineFigures | null {
  if (!result) return null;
  // Outside the compressor: the agent's process and pv.
  const outside =
    result.agentCpuSeconds === undefined ? undefined : result.agentCpuSeconds + (result.meterCpuSeconds ?? 0);
  const perGiB =
    outside !== undefined && result.outputBytes ? outside / (result.outputBytes / GIB) : undefined;
  return {
    name: describeContender(id),
    seconds: round(result.seconds) as number,
    mbPerSecond: dumpBytes === null ? null : round(dumpBytes / MB / result.seconds, 1),
    peakRssMiB: round(result.peakRssMiB, 1) as number,
    cpuSeconds: round(result.cpuSeconds) as number,
    agentCpuSeconds: round(result.agentCpuSeconds),
    agentMainThreadCpuSeconds: round(result.agentMainThreadCpuSeconds),
    meterCpuSeconds: round(result.meterCpuSeconds),
    eventLoopDelayP99Ms: round(result.eventLoopDelayP99Ms, 1),
    eventLoopDelayMaxMs: round(result.eventLoopDelayMaxMs, 1),
    agentCpuSecondsPerCompressedGiB: round(perGiB),
    storageCpuSeconds: round(result.storageCpuSeconds),
    serverCpuSeconds: round(result.serverCpuSeconds),
    compressedMiB: result.outputBytes === undefined ? null : round(result.outputBytes / MIB, 1),
  };
}

function check(
  value: number | null | undefined,
  target: string,
  met: (value: number) => boolean,
): TargetCheck {
  const known = value === null || value === undefined || !Number.isFinite(value) ? null : round(value);
  return { value: known, target, met: known === null ? null : met(known) };
}

function sizeReport({ sizeGiB, results }: SizeResult): SizeReport {
  const dumpBytes =
    Object.values(results).find((result) => result?.dumpBytes !== undefined)?.dumpBytes ?? null;
  const pipelines = Object.fromEntries(
    CONTENDER_IDS.map((id) => [id, figures(id, results[id], dumpBytes)]),
  ) as Record<ContenderId, PipelineFigures | null>;
  const speedRatio = (a: ContenderId, b: ContenderId) => {
    const [x, y] = [results[a], results[b]];
    return x && y ? y.seconds / x.seconds : null;
  };
  // Child compressors (pigz, zstd) run in their own processes: the agent's process CPU and pv's are all outside them.
  const outside = [pipelines.agentGzipSink, pipelines.agentZstdSink].flatMap((p) =>
    p?.agentCpuSecondsPerCompressedGiB == null ? [] : [p.agentCpuSecondsPerCompressedGiB],
  );
  const rss = CONTENDER_IDS.flatMap((id) =>
    id.startsWith('agent') && pipelines[id] ? [pipelines[id].peakRssMiB] : [],
  );
  const rssGrowth = (a: ContenderId, b: ContenderId) => {
    const [x, y] = [results[a], results[b]];
    return x && y ? x.peakRssMiB - y.peakRssMiB : null;
  };
  return {
    sizeGiB,
    dumpBytes,
    pipelines,
    targets: {
      zstdSinkVsDevNull: check(speedRatio('agentZstdSink', 'zstdDevNull'), '≥ 0.9', (v) => v >= 0.9),
      gzipSinkVsDevNull: check(speedRatio('agentGzipSink', 'gzipDevNull'), '≥ 1.6', (v) => v >= 1.6),
      // age is one more process of the chain: the agent reads its output instead of the compressor's.
      zstdAgeVsZstdSink: check(speedRatio('agentZstdAgeSink', 'agentZstdSink'), '≥ 0.9', (v) => v >= 0.9),
      zstdAgeRssGrowthMiB: check(rssGrowth('agentZstdAgeSink', 'agentZstdSink'), '≤ 5 MiB', (v) => v <= 5),
      agentCpuPerCompressedGiB: check(
        outside.length ? Math.max(...outside) : null,
        '≤ 1.5 s',
        (v) => v <= 1.5,
      ),
      agentPeakRssMiB: check(rss.length ? Math.max(...rss) : null, '< 150 MiB', (v) => v < 150),
    },
  };
}

export function buildReport(sizes: SizeResult[], loadAverageAtStart: number[]): BenchReport {
  return {
    machine: {
      cores: availableParallelism(),
      loadAverageAtStart: loadAverageAtStart.map((load) => round(load) as number),
      loadAverageAtEnd: loadavg().map((load) => round(load) as number),
    },
    sizes: sizes.map(sizeReport),
  };
}

const cell = (value: number | null | undefined) => (value == null ? '' : String(value));

export function formatReport(report: BenchReport): string {
  const { machine } = report;
  const lines = [
    `${machine.cores} cores; load average ${machine.loadAverageAtStart.join(', ')} at start, ${machine.loadAverageAtEnd.join(', ')} at end`,
  ];
  for (const size of report.sizes) {
    lines.push(
      '',
      `## MariaDB dump of ${size.dumpBytes === null ? '?' : (size.dumpBytes / GIB).toFixed(2)} GiB (BENCH_SIZE_GIB ${size.sizeGiB})`,
      '',
      '| pipeline | s | dump MB/s | out MiB | peak RSS MiB | CPU s | agent CPU s (main thread) | pv CPU s | agent + pv CPU s / GiB out | event loop delay ms p99 (max) | storage CPU s | server CPU s |',
      '| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |',
    );
    for (const p of Object.values(size.pipelines)) {
      if (!p) continue;
      const agent = p.agentCpuSeconds === null ? '' : `${p.agentCpuSeconds} (${p.agentMainThreadCpuSeconds})`;
      const loop =
        p.eventLoopDelayP99Ms === null ? '' : `${p.eventLoopDelayP99Ms} (${p.eventLoopDelayMaxMs})`;
      lines.push(
        `| ${p.name} | ${p.seconds} | ${cell(p.mbPerSecond)} | ${cell(p.compressedMiB)} | ${p.peakRssMiB} | ${p.cpuSeconds} | ${agent} | ${cell(p.meterCpuSeconds)} | ${cell(p.agentCpuSecondsPerCompressedGiB)} | ${loop} | ${cell(p.storageCpuSeconds)} | ${cell(p.serverCpuSeconds)} |`,
      );
    }
    const t = size.targets;
    const verdict = (c: TargetCheck) =>
      `${c.value ?? 'n/a'} (target ${c.target}: ${c.met === null ? 'not measured' : c.met ? 'met' : 'not met'})`;
    lines.push(
      '',
      `- agent zstd-3 → sink vs dump | zstd -3 -T0 > /dev/null: ${verdict(t.zstdSinkVsDevNull)}`,
      `- agent gzip-6 → sink vs dump | gzip -6 > /dev/null: ${verdict(t.gzipSinkVsDevNull)}`,
      `- agent zstd-3 | age → sink vs agent zstd-3 → sink: ${verdict(t.zstdAgeVsZstdSink)}`,
      `- agent zstd-3 | age → sink, peak RSS over zstd-3 → sink: ${verdict(t.zstdAgeRssGrowthMiB)}`,
      `- agent CPU outside the compressor per GiB of output: ${verdict(t.agentCpuPerCompressedGiB)}`,
      `- agent peak RSS: ${verdict(t.agentPeakRssMiB)}`,
    );
  }
  return lines.join('\n');
}
