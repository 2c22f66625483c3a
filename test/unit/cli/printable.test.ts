// What the command line prints is text: every control character a database, an object's metadata or a tool could
// slip into a report — ESC, OSC, BEL, DEL, C1 — is dropped, newlines only where the printer put them, and JSON
// keeps every value whole without a raw control in it.
import { describe, expect, it } from 'vitest';
import { table } from '../../../cli/format.js';
import { printable, printableJson } from '../../../cli/printable.js';
import { controlsIn } from '../../helpers/controls.js';

const EVIL = 'pat\u001b]0;owned\u0007ients\u001b[2J\u009b31m\u007f\u0000\r\ttab';

describe('printable', () => {
  it('drops C0, DEL and C1, and keeps the rest of the text, accents and all', () => {
    expect(printable(EVIL)).toBe('pat]0;ownedients[2J31mtab');
    expect(printable('Zoë Ångström — ok ✓')).toBe('Zoë Ångström — ok ✓');
  });

  it('keeps newlines only when they are the printer’s own', () => {
    expect(printable('one\ntwo')).toBe('onetwo');
    expect(printable('one\ntwo\u001b[A', true)).toBe('one\ntwo[A');
  });
});

describe('printableJson', () => {
  it('holds every value whole, with no raw control character in the text', () => {
    const value = { table: EVIL, note: 'line\nbreak', c1: '\u0085\u009f' };
    const text = printableJson(value);
    expect(JSON.parse(text)).toEqual(value);
    expect(controlsIn(text)).toEqual([]);
  });
});

describe('a table', () => {
  it('prints each cell as one line of text, its columns aligned by what is printed', () => {
    const text = table(
      ['name', 'rows'],
      [
        [EVIL, '1'],
        ['a\nb', '2'],
      ],
    );
    expect(text.split('\n')).toEqual([
      'name                       rows',
      '-------------------------  ----',
      'pat]0;ownedients[2J31mtab  1',
      'ab                         2',
    ]);
  });
});
