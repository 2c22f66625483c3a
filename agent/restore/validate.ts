// The restored database checked: its tables listed and their rows counted, for the report, and each of the admin's
// checks run against what it must give — as the restore user, through the engine's own client.
//
// The rows are not compared with counts read out of the dump as it passed. Such a count catches a restore tool that
// ended well without loading all it was fed, and nothing else: what it is fed is proven whole before its input ends
// (the attested object's hashes, an object finalized only once its dump ended with its tool's completion mark), the
// tool refuses client commands from it (client-commands.ts), and each tool stops at its first failed statement with
// a non-zero exit (psql ON_ERROR_STOP in one transaction, sqlite3 -bail, the mysql client without --force,
// mongorestore --stopOnError). Parsing every engine's dump format in the agent bought no catch those do not make.
import type { CheckReport, TableReport } from '../../core/restore-protocol.js';
import type { Check, RestoreDialect, RestoreSteps } from '../engines/index.js';
import type { StderrTail } from '../pipeline/stderr-tail.js';
import { describeExpectation, meetsExpectation } from './checks.js';
import { runStep } from './run-step.js';

export interface ValidationInput {
  steps: RestoreSteps;
  dialect: RestoreDialect;
  checks: readonly Check[];
  tail: StderrTail;
  signal: AbortSignal;
}

export interface Validation {
  tables: TableReport[];
  checks: CheckReport[];
  /** Each thing that did not hold, in a sentence; empty when all did. */
  problems: string[];
}

/** The last line a tool wrote on stderr: its own words for why a query failed. */
const lastLine = (stderr: string) => stderr.trim().split('\n').at(-1) ?? '';

async function query(input: ValidationInput, text: string): Promise<string[][]> {
  const result = await runStep(input.steps.query(text), input.tail, input.signal);
  if (result.code !== 0)
    throw new Error(lastLine(result.stderr) || `the query tool exited with ${result.code}`);
  return input.dialect.rows(result.stdout);
}

/** Every table of the restored database, with its rows. */
async function countTables(input: ValidationInput): Promise<TableReport[]> {
  const tables = await query(input, input.dialect.listTables);
  const counts = tables.length > 0 ? await query(input, input.dialect.countRows(tables)) : [];
  if (counts.length !== tables.length)
    throw new Error(`${counts.length} row counts for ${tables.length} tables`);
  return tables.map((parts, index) => ({ name: parts.join('.'), rows: Number(counts[index]?.[0]) }));
}

async function runCheck(input: ValidationInput, check: Check): Promise<CheckReport> {
  const expected = describeExpectation(check.expect);
  try {
    const value = (await query(input, input.dialect.checkQuery(check.query)))[0]?.[0];
    const ok = meetsExpectation(value, check.expect);
    return { name: check.name, ok, ...(value !== undefined && { value: value.slice(0, 200) }), expected };
  } catch (error) {
    return { name: check.name, ok: false, expected, error: (error as Error).message.slice(0, 500) };
  }
}

export async function validateRestore(input: ValidationInput): Promise<Validation> {
  const problems: string[] = [];
  let tables: TableReport[] = [];
  try {
    tables = await countTables(input);
  } catch (error) {
    problems.push(`the restored tables could not be counted: ${(error as Error).message}`);
  }
  const checks: CheckReport[] = [];
  for (const check of input.checks) {
    const report = await runCheck(input, check);
    checks.push(report);
    if (!report.ok) {
      problems.push(
        `check "${check.name}" ${report.error ? `failed: ${report.error}` : `gave ${report.value ?? 'no value'}, not ${report.expected}`}`,
      );
    }
  }
  return { tables, checks, problems };
}
