// What the command line and `npm start` print is text, never terminal control: a table named in the production
// database, an object's metadata or a tool's stderr could otherwise carry ESC, OSC or BEL sequences that move the
// cursor, retitle the window or answer back as the admin. C0 controls (but the printer's own newlines), DEL and C1
// are dropped, as the login banner drops them from the agent's log (agent/deploy/db-backup-login-banner.sh).

const NEWLINE = 0x0a;

/** C0, DEL or C1. */
function isControl(code: number): boolean {
  return code < 0x20 || (code >= 0x7f && code <= 0x9f);
}

/** `text` without control characters; its newlines kept only when they are the printer's own (`lines`). */
export function printable(text: string, lines = false): string {
  let kept = '';
  for (const char of text) {
    const code = char.codePointAt(0) as number;
    if (!isControl(code) || (lines && code === NEWLINE)) kept += char;
  }
  return kept;
}

/**
 * JSON as scripts read it, every value whole: JSON.stringify escapes C0 already, and DEL and C1 are written as
 * \u escapes too (they can only stand inside strings), so no raw control reaches the terminal.
 */
export function printableJson(value: unknown): string {
  return JSON.stringify(value, null, 2).replace(
    /[\u007f-\u009f]/g,
    (char) => `\\u${char.charCodeAt(0).toString(16).padStart(4, '0')}`,
  );
}
