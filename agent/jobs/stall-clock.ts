// How long a job's source has stood still of its own accord. The clock runs while the job waits on its source — the
// dump tool writing nothing, the download waiting on the network — and stops while the source waits on what is
// downstream of it (the upload, a restore tool building an index), so only the source's own silence is a stall.
/** What a job's pipeline does with the clock: stops it while its source waits on what is downstream. */
export type SourceClock = Pick<StallClock, 'pause' | 'resume'>;

export class StallClock {
  /** When the source last moved. */
  #since: number;
  /** Of the time since, how long the clock stood stopped. */
  #stopped = 0;
  /** When the current stop began; undefined while the clock runs. */
  #stoppedAt: number | undefined;

  constructor(private readonly now: () => number) {
    this.#since = now();
  }

  /** The source moved: it has stood still for no time at all. */
  moved(): void {
    const now = this.now();
    this.#since = now;
    this.#stopped = 0;
    if (this.#stoppedAt !== undefined) this.#stoppedAt = now;
  }

  /** The source waits on what is downstream of it (or has ended): its time does not count. */
  pause(): void {
    this.#stoppedAt ??= this.now();
  }

  /** The job waits on its source again. */
  resume(): void {
    if (this.#stoppedAt === undefined) return;
    this.#stopped += this.now() - this.#stoppedAt;
    this.#stoppedAt = undefined;
  }

  /** How long, in ms, the source has stood still of its own accord since it last moved. */
  still(): number {
    const now = this.now();
    const stopping = this.#stoppedAt === undefined ? 0 : now - this.#stoppedAt;
    return now - this.#since - this.#stopped - stopping;
  }
}
