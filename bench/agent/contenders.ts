// The pipelines the benchmark compares, each under a fixed id: the agent and the shell pipelines an administrator
// would write, into the discard sink (the uploader alone) and into the emulator (with real storage behind it).

export type Destination = 'sink' | 'emulator';

export type Contender =
  | { kind: 'agent'; algorithm: 'gzip' | 'zstd'; level: number; to: Destination; encrypted?: true }
  | { kind: 'shell'; compress?: string; extension?: string; to?: Destination };

export const CONTENDERS = {
  dumpDevNull: { kind: 'shell' },
  gzipDevNull: { kind: 'shell', compress: 'gzip -6' },
  pigzDevNull: { kind: 'shell', compress: 'pigz -6' },
  agentGzipSink: { kind: 'agent', algorithm: 'gzip', level: 6, to: 'sink' },
  agentGzipEmulator: { kind: 'agent', algorithm: 'gzip', level: 6, to: 'emulator' },
  gzipGcloudSink: { kind: 'shell', compress: 'gzip -6', extension: 'gz', to: 'sink' },
  gzipGcloudEmulator: { kind: 'shell', compress: 'gzip -6', extension: 'gz', to: 'emulator' },
  zstdDevNull: { kind: 'shell', compress: 'zstd -q -3 -T0' },
  agentZstdSink: { kind: 'agent', algorithm: 'zstd', level: 3, to: 'sink' },
  // Encrypted for two recipients, as a VM's agent does (its own identity and the admin's offline key).
  agentZstdAgeSink: { kind: 'agent', algorithm: 'zstd', level: 3, to: 'sink', encrypted: true },
  agentGzipAgeSink: { kind: 'agent', algorithm: 'gzip', level: 6, to: 'sink', encrypted: true },
  agentZstdEmulator: { kind: 'agent', algorithm: 'zstd', level: 3, to: 'emulator' },
  zstdGcloudSink: { kind: 'shell', compress: 'zstd -q -3 -T0', extension: 'zst', to: 'sink' },
  zstdGcloudEmulator: { kind: 'shell', compress: 'zstd -q -3 -T0', extension: 'zst', to: 'emulator' },
} as const satisfies Record<string, Contender>;

export type ContenderId = keyof typeof CONTENDERS;

export const CONTENDER_IDS = Object.keys(CONTENDERS) as ContenderId[];

/** What a reader sees in the table. */
export function describeContender(id: ContenderId): string {
  const contender: Contender = CONTENDERS[id];
  if (contender.kind === 'agent') {
    const gzip = contender.algorithm === 'gzip' ? ' (pigz)' : '';
    const age = contender.encrypted ? ' | age' : '';
    return `agent ${contender.algorithm}-${contender.level}${gzip}${age} → ${contender.to}`;
  }
  const compress = contender.compress ? ` | ${contender.compress}` : '';
  const sink = contender.to ? ` | gcloud storage cp → ${contender.to}` : ' > /dev/null';
  return `dump${compress}${sink}`;
}

/** BENCH_ONLY: a comma-separated list of ids, to run a few contenders while tuning; all by default. */
export function selectedContenders(only = process.env.BENCH_ONLY): ContenderId[] {
  if (!only) return CONTENDER_IDS;
  const wanted = only.split(',').map((id) => id.trim());
  const unknown = wanted.filter((id) => !(id in CONTENDERS));
  if (unknown.length > 0) {
    throw new Error(
      `BENCH_ONLY names unknown pipelines: ${unknown.join(', ')}; known: ${CONTENDER_IDS.join(', ')}`,
    );
  }
  return CONTENDER_IDS.filter((id) => wanted.includes(id));
}
