// The morning's attesting of backups checked before attestations existed: proven by their agent's record, they are
// attested; once the agent cannot be reached, the rest wait for the next morning instead of each waiting on it.
import { afterEach, describe, expect, it } from 'vitest';
import { BackupError } from '../../../../core/errors.js';
import { runVerify } from '../../../../functions/verify/run-verify.js';
import { BUCKET, type RunFixture, startRunFixture } from '../run-fixture.js';
import { scriptedAgent } from '../scripted-agent.js';

const fixtures: RunFixture[] = [];
afterEach(async () => {
  await Promise.all(fixtures.splice(0).map((fixture) => fixture.close()));
});

describe('verify attesting earlier backups', () => {
  it('asks an agent that does not answer once, and names every backup it leaves unproven', async () => {
    const agent = scriptedAgent({});
    let asked = 0;
    agent.job = async () => {
      asked++;
      throw new BackupError('AGENT_UNREACHABLE', 'the agent at 10.0.0.5:8443 did not answer');
    };
    const fixture = await startRunFixture(agent);
    fixtures.push(fixture);
    const names = ['a_20261101.sql.gz', 'a_20261102.sql.gz', 'a_20261103.sql.gz'];
    for (const name of names) {
      await fixture.storage
        .bucket(BUCKET)
        .file(name)
        .save('-- a dump\n', { resumable: false, metadata: { metadata: { checkedAt: 'x', jobId: 'j' } } });
    }
    await runVerify(fixture.config, fixture.deps, { databases: ['a'] });
    expect(asked).toBe(1);
    const unproven = fixture.logs.filter((line) => line.event === 'object.unproven');
    expect(unproven.map((line) => line.object).sort()).toEqual(names);
    for (const line of unproven) {
      expect(line).toMatchObject({ alerting: true, errorCode: 'OBJECT_UNPROVEN' });
      expect(line.message).toMatch(/did not answer|could not be reached/);
    }
  });
});
