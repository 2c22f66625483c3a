// What a waiting command shows on stderr: each job's bytes and elapsed time — rewritten in place on a terminal, with a
// restore's percentage, rate and time left (its object's size is known), one line per change (at most every few
// seconds) otherwise.
import type { ProgressEvent } from '../functions/run/deps.js';
import { bytes, duration } from './format.js';
import type { Output } from './look.js';
import { printable } from './printable.js';

const QUIET_MS = 5000;

/** `far`: how far a restore's download is, on a terminal. */
function describeProgress(event: ProgressEvent, far = ''): string {
  const where = event.kind === 'restore' ? (event.step ?? event.state) : event.state;
  const amounts =
    event.kind === 'restore'
      ? `${bytes(event.bytesDownloaded)} downloaded${far && ` (${far})`}, ${bytes(event.bytesRestored)} restored`
      : `${bytes(event.bytesRead)} read, ${bytes(event.bytesUploaded)} uploaded`;
  return printable(`${event.targetId}: ${where}, ${amounts}, ${duration(event.elapsedMs)} elapsed`);
}

type Sample = { bytes: number; at: number };

/** `37%, 8.1 MiB/s, 0:03 left` from the first sample seen of a restore's download and this one. */
function howFar(event: ProgressEvent, first: Sample | undefined): string {
  const total = event.objectBytes;
  const done = event.bytesDownloaded ?? 0;
  if (!total || event.state !== 'running') return '';
  const parts = [`${Math.min(100, Math.floor((100 * done) / total))}%`];
  const seconds = first ? (event.elapsedMs - first.at) / 1000 : 0;
  const rate = first && seconds > 0 ? (done - first.bytes) / seconds : 0;
  if (rate > 0) {
    parts.push(`${bytes(rate)}/s`);
    if (done < total) parts.push(`${duration(((total - done) / rate) * 1000)} left`);
  }
  return parts.join(', ');
}

export function progressPrinter(stream: Output): { show(event: ProgressEvent): void; done(): void } {
  const last = new Map<string, { text: string; at: number }>();
  const firsts = new Map<string, Sample>();
  // The width of the line last written in place: spaces, not an escape sequence, clear what it leaves over.
  let shown = 0;
  return {
    show(event) {
      if (stream.isTTY) {
        if (event.kind === 'restore' && event.bytesDownloaded && !firsts.has(event.jobId))
          firsts.set(event.jobId, { bytes: event.bytesDownloaded, at: event.elapsedMs });
        const far = event.kind === 'restore' ? howFar(event, firsts.get(event.jobId)) : '';
        // Kept within one line of the terminal: a wrapped line could not be rewritten in place.
        const text = describeProgress(event, far).slice(0, Math.max(1, (stream.columns ?? 80) - 1));
        stream.write(`\r${text.padEnd(shown)}`);
        shown = text.length;
        return;
      }
      const text = describeProgress(event);
      const previous = last.get(event.jobId);
      const changed = previous?.text.split(',')[0] !== text.split(',')[0];
      if (previous && !changed && Date.now() - previous.at < QUIET_MS) return;
      last.set(event.jobId, { text, at: Date.now() });
      stream.write(`${text}\n`);
    },
    done() {
      if (shown > 0) stream.write(`\r${' '.repeat(shown)}\r`);
    },
  };
}
