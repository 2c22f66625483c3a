// Who a backup is encrypted for, and when it is refused instead: the function's word (its target's `encryption`)
// against agent.json's recipients and policy — never a plain upload where either side asks for encryption.
import { describe, expect, it } from 'vitest';
import { fingerprint, recipientsFor } from '../../../../agent/encryption/recipients.js';
import { BackupError } from '../../../../core/errors.js';

const AGENT = 'age1ql3z7hjy54pw3hyww5ayyfg7zqgvc7w3j2elw8zmrj2kg5sfn9aqmcac8p';
const ADMIN = 'age1lggyhqrw2nlhcxprm67z43rta597azn8gknawjehu9d9dl0jq3yqqvfafg';

function refusal(run: () => unknown): string {
  try {
    run();
  } catch (error) {
    expect(error).toBeInstanceOf(BackupError);
    expect((error as BackupError).code).toBe('ENCRYPTION_REQUIRED');
    return (error as Error).message;
  }
  throw new Error('expected ENCRYPTION_REQUIRED');
}

describe('recipientsFor', () => {
  const target = { id: 'hospital' };

  it('encrypts for the target’s own recipients in place of the agent’s', () => {
    const policy = { encryption: 'required', recipients: [AGENT, ADMIN] } as const;
    expect(recipientsFor(target, policy, true)).toEqual([AGENT, ADMIN]);
    expect(recipientsFor({ ...target, recipients: [ADMIN] }, policy, true)).toEqual([ADMIN]);
  });

  it('backs up in clear only where both sides opted out', () => {
    expect(recipientsFor(target, { encryption: 'off', recipients: [] }, false)).toEqual([]);
  });

  it('refuses an encrypted backup without recipients, naming the target and what to add', () => {
    const message = refusal(() => recipientsFor(target, { encryption: 'off', recipients: [] }, true));
    expect(message).toBe(
      'hospital: the function requires encryption but agent.json lists no recipients for this target: add "recipients" (age1…) to the target or to agent.json; nothing was uploaded',
    );
  });

  it('refuses a plain backup where agent.json requires encryption, or lists recipients', () => {
    expect(
      refusal(() => recipientsFor(target, { encryption: 'required', recipients: [AGENT] }, false)),
    ).toMatch(/agent\.json requires encryption but the function asked for a plain backup/);
    expect(refusal(() => recipientsFor(target, { encryption: 'off', recipients: [AGENT] }, false))).toMatch(
      /lists recipients for this target but the function asked for a plain backup/,
    );
    expect(
      refusal(() =>
        recipientsFor({ ...target, recipients: [ADMIN] }, { encryption: 'off', recipients: [] }, false),
      ),
    ).toMatch(/lists recipients/);
  });
});

describe('fingerprint', () => {
  it('names a recipient by a short hash, never by the key, the same each time and apart for two keys', () => {
    expect(fingerprint(AGENT)).toMatch(/^age-sha256:[0-9a-f]{16}$/);
    expect(fingerprint(AGENT)).toBe(fingerprint(AGENT));
    expect(fingerprint(AGENT)).not.toBe(fingerprint(ADMIN));
    expect(fingerprint(AGENT)).not.toContain(AGENT.slice(4, 12));
  });
});
