// The one rule for database and target names, checked before a name reaches an object name, argv or a log.

import { InvalidNameError } from './errors.js';

export const NAME_RULE =
  '1 to 63 characters: ASCII letters, digits, ".", "_" or "-", starting with a letter or digit';

const NAME_PATTERN = /^[A-Za-z0-9][A-Za-z0-9._-]{0,62}$/;

export function isValidName(name: string): boolean {
  return NAME_PATTERN.test(name);
}

/** Returns the name unchanged, or throws an error naming the bad value (made printable) and the rule. */
export function validateName(name: string, what = 'name'): string {
  if (!isValidName(name)) {
    throw new InvalidNameError(`invalid ${what} ${JSON.stringify(name)}: must be ${NAME_RULE}`);
  }
  return name;
}
