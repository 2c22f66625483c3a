// The last lines a tool wrote to stderr, bounded in memory, with secrets redacted before anyone sees them.

const MAX_LINE = 500;

/** Hides the password itself and anything shaped like `password=…`/`password: …` (whatever the tool printed). */
export function redact(line: string, secrets: readonly string[]): string {
  let out = line;
  for (const secret of secrets) if (secret) out = out.split(secret).join('[REDACTED]');
  return out.replace(
    /(pass(?:word)?|pwd|secret|token)(["']?\s*[=:]\s*)("[^"]*"|'[^']*'|[^\s)\]},;]+)/gi,
    '$1$2[REDACTED]',
  );
}

export class StderrTail {
  private readonly lines: string[] = [];
  private partial = '';

  constructor(
    private readonly limit: number,
    private readonly secrets: readonly string[],
  ) {}

  /** Feeds raw stderr; `label` names the tool when several share one tail. */
  write(chunk: Buffer, label: string): void {
    const text = this.partial + chunk.toString('utf8');
    const parts = text.split(/\r?\n/);
    // A tool spewing one endless line must not grow memory: keep only the start of an unfinished line.
    this.partial = (parts.pop() ?? '').slice(0, MAX_LINE);
    for (const part of parts) this.push(part, label);
  }

  /** Flushes an unfinished last line. */
  end(label: string): void {
    if (this.partial) this.push(this.partial, label);
    this.partial = '';
  }

  get tail(): string[] {
    return [...this.lines];
  }

  private push(line: string, label: string): void {
    if (!line.trim()) return;
    this.lines.push(`${label}: ${redact(line.slice(0, MAX_LINE), this.secrets)}`);
    if (this.lines.length > this.limit) this.lines.shift();
  }
}
