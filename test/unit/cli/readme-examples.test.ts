// The READMEs show db-backup in a form whose stdout is the command's own: the installed bin, or npm run with -s
// (without it npm prints its banner on stdout first, and `--json | jq` fails on it).
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';

describe.each(['README.md', 'cli/README.md'])('%s', (file) => {
  it('calls db-backup through npm only with -s', () => {
    const text = readFileSync(file, 'utf8');
    expect(text).toMatch(/npm run -s db-backup -- /);
    const calls = [...text.matchAll(/npm run((?: +-[\w-]+)*) +db-backup\b/g)];
    expect(calls.length).toBeGreaterThan(0);
    expect(calls.filter(([, flags]) => !/(^| )-s\b/.test(flags ?? '')).map(([call]) => call)).toEqual([]);
  });
});
