// What a waiting command shows on stderr: each job's bytes and elapsed time — rewritten in place on a terminal,
// one line per change (at most every few seconds) otherwise.
import type { ProgressEvent } from '../functions/deps.js';
import { bytes, duration } from './format.js';

const QUIET_MS = 5000;

function describeProgress(event: ProgressEvent): string {
  const where = event.kind === 'restore' ? (event.step ?? event.state) : event.state;
  const amounts =
    event.kind === 'restore'
      ? `${bytes(event.bytesDownloaded)} downloaded, ${bytes(event.bytesRestored)} restored`
      : `${bytes(event.bytesRead)} read, ${bytes(event.bytesUploaded)} uploaded`;
  return `${event.targetId}: ${where}, ${amounts}, ${duration(event.elapsedMs)} elapsed`;
}

export function progressPrinter(stream: NodeJS.WritableStream & { isTTY?: boolean }): {
  show(event: ProgressEvent): void;
  done(): void;
} {
  const last = new Map<string, { text: string; at: number }>();
  let inPlace = false;
  return {
    show(event) {
      const text = describeProgress(event);
      if (stream.isTTY) {
        stream.write(`\r\u001b[2K${text}`);
        inPlace = true;
        return;
      }
      const previous = last.get(event.jobId);
      const changed = previous?.text.split(',')[0] !== text.split(',')[0];
      if (previous && !changed && Date.now() - previous.at < QUIET_MS) return;
      last.set(event.jobId, { text, at: Date.now() });
      stream.write(`${text}\n`);
    },
    done() {
      if (inPlace) stream.write('\r\u001b[2K');
    },
  };
}
