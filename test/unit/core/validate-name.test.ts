import { describe, expect, it } from 'vitest';
import { InvalidNameError } from '../../../core/errors.js';
import { NAME_RULE, validateName } from '../../../core/validate-name.js';

describe('validateName', () => {
  it.each(['HospitalDB', 'demo', 'a', '9lives', 'db.prod_2-b', 'x'.repeat(63)])('accepts %j', (name) => {
    expect(validateName(name)).toBe(name);
  });

  it.each([
    ['../x'],
    ['a b'],
    ['a;rm -rf /'],
    ['a/b'],
    [''],
    ['x'.repeat(64)],
    ['HospitalDé'],
    ['Ωmega'],
    ['db\n'],
    ['db\u0000x'],
    ['\tdb'],
    ['.hidden'],
    ['-flag'],
    ['_private'],
  ])('rejects %j, naming the value and the rule', (name) => {
    const call = () => validateName(name, 'database name');
    expect(call).toThrow(InvalidNameError);
    expect(call).toThrow(`invalid database name ${JSON.stringify(name)}: must be ${NAME_RULE}`);
  });

  it('prints control characters escaped so an error line cannot be forged', () => {
    expect(() => validateName('db\nFAKE LOG LINE')).toThrow('"db\\nFAKE LOG LINE"');
  });
});
