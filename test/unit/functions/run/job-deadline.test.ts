// A job's age against its one limit: the deadline its agent reported, or the agent's default for a job not started
// (or recorded by an agent that reports none).
import { describe, expect, it } from 'vitest';
import { jobAge } from '../../../../functions/run/job-deadline.js';

const START = '2026-12-01T02:00:00.000Z';
const at = (minutes: number) => new Date(Date.parse(START) + minutes * 60_000);

describe('jobAge', () => {
  it('holds a started job to the deadline its agent reported', () => {
    const job = { startedAt: START, deadline: at(600).toISOString() };
    expect(jobAge(job, at(599))).toEqual({ minutes: 599, limitMinutes: 600, overdue: false });
    expect(jobAge(job, at(601))).toEqual({ minutes: 601, limitMinutes: 600, overdue: true });
  });

  it("holds a queued job, or one recorded without a deadline, to the agent's default from then", () => {
    expect(jobAge({ queuedAt: START }, at(180))).toEqual({ minutes: 180, limitMinutes: 180, overdue: false });
    expect(jobAge({ queuedAt: START }, at(181))).toMatchObject({ overdue: true });
    expect(jobAge({ startedAt: START }, at(181))).toMatchObject({ limitMinutes: 180, overdue: true });
  });
});
