// The last lines a tool wrote to stderr, bounded in memory, with secrets redacted before anyone sees them.
import type { Redact } from '../log/redact.js';

const MAX_LINE = 500;

export class StderrTail {
  private readonly lines: string[] = [];
  private partial = '';

  constructor(
    private readonly limit: number,
    private readonly redact: Redact,
  ) {}

  /** Feeds raw stderr; `label` names the tool when several share one tail. */
  write(chunk: Buffer, label: string): void {
    const text = this.partial + chunk.toString('utf8');
    const parts = text.split(/\r?\n/);
    // A tool spewing one endless line must not grow memory: keep only the start of an unfinished line.
    this.partial = (parts.pop() ?? '').slice(0, MAX_LINE);
    for (const part of parts) this.add(part, label);
  }

  /** Flushes an unfinished last line. */
  end(label: string): void {
    if (this.partial) this.add(this.partial, label);
    this.partial = '';
  }

  get tail(): string[] {
    return [...this.lines];
  }

  /** One whole line, from a caller that splits stderr itself. */
  add(line: string, label: string): void {
    if (!line.trim()) return;
    this.lines.push(`${label}: ${this.redact(line.slice(0, MAX_LINE))}`);
    if (this.lines.length > this.limit) this.lines.shift();
  }
}
