// Plain-text tables and the units people read: sizes, durations, days and times. Written here in a few lines rather
// than through a table library: aligned columns are all the commands print. Widths are terminal columns
// (string-width), so a name in a wide script still lines up.
import stringWidth from 'string-width';
import { type Look, PLAIN } from './look.js';
import { printable } from './printable.js';

export interface TableShape {
  /** Columns whose cells are status words, coloured by what they say. */
  toned?: readonly number[];
  /** The column cut short (with …) when the rows are wider than the terminal: the one holding free text. */
  shrinks?: number;
}

/** Narrower than this a cut column says too little to be worth keeping at the terminal's width. */
const NARROWEST = 12;

/** `text` cut to `width` columns, its last one an ellipsis; whole characters only. */
function cut(text: string, width: number): string {
  let kept = '';
  for (const { segment } of new Intl.Segmenter().segment(text)) {
    if (stringWidth(kept + segment) > width - 1) break;
    kept += segment;
  }
  return `${kept}…`;
}

/** Columns padded to their widest cell, the header underlined; the free-text column cut to fit the terminal. */
export function table(
  header: readonly string[],
  rows: readonly (readonly string[])[],
  look: Look = PLAIN,
  shape: TableShape = {},
): string {
  const cells = rows.map((row) => row.map((cell) => printable(cell)));
  const widths = header.map((title, column) =>
    Math.max(stringWidth(title), ...cells.map((row) => stringWidth(row[column] ?? ''))),
  );
  const total = widths.reduce((sum, width) => sum + width, 2 * (widths.length - 1));
  const over = look.width === undefined ? 0 : total - look.width;
  let wasCut = false;
  if (over > 0 && shape.shrinks !== undefined) {
    const column = shape.shrinks;
    const width = Math.max(NARROWEST, (widths[column] ?? 0) - over);
    for (const row of cells) {
      const cell = row[column] ?? '';
      if (stringWidth(cell) > width) {
        row[column] = cut(cell, width);
        wasCut = true;
      }
    }
    widths[column] = Math.min(widths[column] ?? 0, width);
  }
  const line = (row: readonly string[], paint: (text: string, column: number) => string) =>
    row
      .map((cell, column) => {
        const pad = column === row.length - 1 ? 0 : (widths[column] ?? 0) - stringWidth(cell);
        return paint(cell, column) + ' '.repeat(Math.max(0, pad));
      })
      .join('  ')
      .trimEnd();
  const tone = (text: string, column: number) => (shape.toned?.includes(column) ? look.tone(text) : text);
  return [
    line(header, look.bold),
    line(
      widths.map((width) => '-'.repeat(width)),
      (text) => text,
    ),
    ...cells.map((row) => line(row, tone)),
    ...(wasCut ? ['(cut to the terminal’s width: --json prints every word)'] : []),
  ].join('\n');
}

const UNITS = ['B', 'KiB', 'MiB', 'GiB', 'TiB'];

export function bytes(count: number | undefined): string {
  if (count === undefined || !Number.isFinite(count)) return '';
  let value = count;
  let unit = 0;
  while (value >= 1024 && unit < UNITS.length - 1) {
    value /= 1024;
    unit++;
  }
  return unit === 0 ? `${value} B` : `${value.toFixed(1)} ${UNITS[unit]}`;
}

/** `0:42`, `12:05`, `1:02:03`. */
export function duration(ms: number | undefined): string {
  if (ms === undefined || !Number.isFinite(ms)) return '';
  const total = Math.round(ms / 1000);
  const [hours, minutes, seconds] = [Math.floor(total / 3600), Math.floor(total / 60) % 60, total % 60];
  const two = (n: number) => String(n).padStart(2, '0');
  return hours > 0 ? `${hours}:${two(minutes)}:${two(seconds)}` : `${minutes}:${two(seconds)}`;
}

/** A backup's day (yyyyMMdd, as in its object's name) as people write it: `2026-12-07`. */
export function day(date: string): string {
  return /^\d{8}$/.test(date) ? `${date.slice(0, 4)}-${date.slice(4, 6)}-${date.slice(6)}` : date;
}

/** An instant (ISO 8601, as the functions give them) as `2026-12-07 18:52 UTC`; empty when absent. */
export function time(iso: string | undefined | null): string {
  if (!iso) return '';
  const instant = new Date(iso);
  if (Number.isNaN(instant.getTime())) return iso;
  return `${instant.toISOString().slice(0, 16).replace('T', ' ')} UTC`;
}
