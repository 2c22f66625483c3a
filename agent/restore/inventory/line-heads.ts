// Splits a stream into lines and hands on the start of each (up to a limit), so a scanner can read statement
// openings without ever holding a long line — a row of a large value — in memory.

const NEWLINE = 0x0a;

export class LineHeads {
  private carry: Buffer[] = [];
  private carried = 0;
  /** Bytes of the current line seen so far, past what is carried. */
  private length = 0;

  constructor(
    private readonly onLine: (head: Buffer) => void,
    private readonly limit = 4096,
  ) {}

  write(chunk: Buffer): void {
    let start = 0;
    for (;;) {
      const newline = chunk.indexOf(NEWLINE, start);
      const end = newline === -1 ? chunk.length : newline;
      this.keep(chunk.subarray(start, end));
      if (newline === -1) return;
      this.emit();
      start = newline + 1;
    }
  }

  /** Hands on a last line that had no newline. */
  end(): void {
    if (this.length > 0) this.emit();
  }

  private keep(piece: Buffer): void {
    const room = this.limit - this.carried;
    if (room > 0 && piece.length > 0) {
      const kept = piece.subarray(0, room);
      this.carry.push(kept);
      this.carried += kept.length;
    }
    this.length += piece.length;
  }

  private emit(): void {
    const head = this.carry.length === 1 ? (this.carry[0] as Buffer) : Buffer.concat(this.carry);
    this.carry = [];
    this.carried = 0;
    this.length = 0;
    this.onLine(head);
  }
}
