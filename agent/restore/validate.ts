// The restored database checked: every table the dump listed is there with as many rows as the dump held, and each
// of the admin's checks gives what it must. Queries run as the restore user through the engine's own client.
import type { CheckReport, TableReport } from '../../core/restore-protocol.js';
import type { Check, RestoreDialect, RestoreSteps, TableParts } from '../engines/index.js';
import type { StderrTail } from '../pipeline/stderr-tail.js';
import { describeExpectation, meetsExpectation } from './checks.js';
import type { ListedTable } from './inventory/index.js';
import { runStep } from './run-step.js';

export interface ValidationInput {
  steps: RestoreSteps;
  dialect: RestoreDialect;
  /** What the dump listed; undefined when it could not be read (`scannerError` says why). */
  listed: ListedTable[] | undefined;
  scannerError?: string;
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

/** The restored table a listed one is, by exact name or else ignoring case (as MySQL may fold names). */
function finder(restored: TableParts[]): (parts: TableParts) => TableParts | undefined {
  const key = (parts: TableParts) => parts.join('.');
  const exact = new Map(restored.map((parts) => [key(parts), parts]));
  const folded = new Map(restored.map((parts) => [key(parts).toLowerCase(), parts]));
  return (parts) => exact.get(key(parts)) ?? folded.get(key(parts).toLowerCase());
}

async function compareTables(input: ValidationInput, problems: string[]): Promise<TableReport[]> {
  const restored = await query(input, input.dialect.listTables);
  const find = finder(restored);
  const listed = input.listed ?? [];
  const matched = new Set(listed.map((table) => find(table.parts)).filter(Boolean));
  const all = [
    ...listed.map((table) => ({ ...table, found: find(table.parts) })),
    ...restored.filter((parts) => !matched.has(parts)).map((parts) => ({ parts, rows: null, found: parts })),
  ];
  const present = all.flatMap((table) => (table.found ? [table.found] : []));
  const counts = present.length > 0 ? await query(input, input.dialect.countRows(present)) : [];
  if (counts.length !== present.length)
    throw new Error(`${counts.length} row counts for ${present.length} tables`);
  let next = 0;
  return all.map(({ parts, rows: expectedRows, found }) => {
    const name = parts.join('.');
    const rows = found ? Number(counts[next++]?.[0]) : null;
    if (rows === null) problems.push(`table ${name} is missing`);
    else if (expectedRows !== null && rows !== expectedRows) {
      problems.push(`table ${name} has ${rows} rows, the dump ${expectedRows}`);
    }
    return {
      name,
      rows,
      expectedRows,
      ok: rows !== null && (expectedRows === null || rows === expectedRows),
    };
  });
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
  if (input.scannerError) problems.push(`the dump's tables could not be read: ${input.scannerError}`);
  let tables: TableReport[] = [];
  try {
    tables = await compareTables(input, problems);
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
