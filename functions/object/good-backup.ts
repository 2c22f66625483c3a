// Whether a backup in the bucket is good: checked against its agent's record, and never found wrong since — by that
// check, or by a deep check that read its bytes. The one predicate that list, status, restore and retention ask,
// so a further requirement on a good backup lands here alone.
import type { ObjectInfo } from '../storage/objects.js';

/** The custom metadata key whose presence marks an object as checked; written only after the check passed. */
export const VERIFIED_KEY = 'checkedAt';
/** The custom metadata key that records why an object failed its check. */
export const CHECK_FAILED_KEY = 'checkFailed';
/** Of an encrypted backup: its age recipients' fingerprints, space-separated, as its agent reported them. */
export const ENCRYPTED_FOR_KEY = 'encryptedFor';
/** When a deep check last read every byte of the object. */
export const DEEP_CHECKED_KEY = 'deepCheckedAt';
/** Why the last deep check found the object's bytes wrong. */
export const DEEP_CHECK_FAILED_KEY = 'deepCheckFailed';

export function isVerified(info: ObjectInfo): boolean {
  return Boolean(info.metadata[VERIFIED_KEY]);
}

/** Why the object failed its check, or undefined when it has not failed one. */
function checkFailure(info: ObjectInfo): string | undefined {
  return info.metadata[CHECK_FAILED_KEY];
}

/** Why the object's bytes were found wrong by a deep check, or undefined when they were not. */
function deepCheckFailure(info: ObjectInfo): string | undefined {
  return info.metadata[DEEP_CHECK_FAILED_KEY];
}

/** What is known to be wrong with the object, as a failure with its code; undefined when nothing is. */
export function knownFault(
  info: ObjectInfo,
): { code: 'CHECK_MISMATCH' | 'DEEP_CHECK_FAILED'; message: string } | undefined {
  const failed = checkFailure(info);
  if (failed) return { code: 'CHECK_MISMATCH', message: `${info.name} failed its check: ${failed}` };
  const deep = deepCheckFailure(info);
  if (deep) return { code: 'DEEP_CHECK_FAILED', message: `${info.name} failed its deep check: ${deep}` };
  return undefined;
}

/** A good backup: checked, and never found wrong. Only good backups are restored, listed good, or kept as a copy. */
export function isGoodBackup(info: ObjectInfo): boolean {
  return isVerified(info) && !knownFault(info);
}
