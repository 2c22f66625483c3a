// The agent's events, one table: kebab-case names as the function's are, each one documented for the admin who
// filters the log by them.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { AGENT_EVENTS } from '../../../../agent/log/events.js';

const README = readFileSync(join(import.meta.dirname, '../../../../agent/deploy/README.md'), 'utf8');

describe("the agent's events", () => {
  it.each(AGENT_EVENTS)('%s is kebab-case and named in the deploy README', (event) => {
    expect(event).toMatch(/^[a-z]+\.[a-z]+(?:-[a-z]+)*$/);
    expect(README).toContain(`\`${event}\``);
  });
});
