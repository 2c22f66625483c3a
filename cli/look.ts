// How the output looks where it goes: colour only on a terminal that shows it and never under NO_COLOR
// (no-color.org); lines fitted to the terminal's width, and whole in a pipe or a file. The escapes come from
// picocolors, Node's tty decides whether the terminal has colours (TERM, FORCE_COLOR, NO_COLOR).
import pc from 'picocolors';

/** Where a command prints: a terminal tells its width and whether it shows colours; a pipe tells nothing. */
export type Output = NodeJS.WritableStream & { isTTY?: boolean; columns?: number; hasColors?(): boolean };

export interface Look {
  /** Colours a status word's cell: green for what went well, red for what failed, yellow for what needs a look. */
  tone(text: string): string;
  good(text: string): string;
  bad(text: string): string;
  bold(text: string): string;
  /** The terminal's width; absent when the lines may be as long as their text. */
  width?: number;
}

const GOOD = new Set(['ok', 'succeeded', 'exists', 'verified', 'settled', 'restored', 'passed', 'yes']);
const BAD = new Set(['failed', 'FAILED', 'missing', 'interrupted', 'stuck', 'NOT']);
const WARN = new Set(['warning', 'running', 'skipped', 'planned', 'no', 'none']);

export function lookOf(output: Output, env: NodeJS.ProcessEnv): Look {
  const terminal = output.isTTY === true;
  const colours = pc.createColors(terminal && !env.NO_COLOR && output.hasColors?.() === true);
  return {
    tone(text) {
      const word = text.split(' ')[0] ?? '';
      if (GOOD.has(word)) return colours.green(text);
      if (BAD.has(word)) return colours.red(text);
      return WARN.has(word) ? colours.yellow(text) : text;
    },
    good: colours.green,
    bad: colours.red,
    bold: colours.bold,
    ...(terminal && output.columns ? { width: output.columns } : {}),
  };
}

/** Plain text at any length: for tests and for what is written to files. */
const same = (text: string) => text;
export const PLAIN: Look = { tone: same, good: same, bad: same, bold: same };
