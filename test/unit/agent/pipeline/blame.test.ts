// Which failure a backup reports, for failures heard of in every order: the failed tool furthest down the chain
// that did not merely die of a broken pipe; a failure that is no tool's stands.
import { describe, expect, it } from 'vitest';
import { blame, type Failure } from '../../../../agent/pipeline/blame.js';

/** `dump`, `count`, `mark`, `compress` at their places; `~` marks a symptom (SIGPIPE, a broken pipe). */
const PLACES: Record<string, number> = { dump: 0, count: 1, mark: 2, compress: 3 };

function failure(spec: string): Failure {
  if (spec === 'upload' || spec === 'stop') return { code: 'UPLOAD_FAILED', message: spec };
  const symptom = spec.startsWith('~');
  const name = spec.replace('~', '');
  return { code: 'DUMP_FAILED', message: spec, tool: { at: PLACES[name] as number, symptom } };
}

/** The cause reported after hearing of each failure in turn. */
function reported(sequence: string[]): string | undefined {
  return sequence.map(failure).reduce<Failure | undefined>(blame, undefined)?.message;
}

describe('blame', () => {
  it.each([
    // One failure is its own cause.
    [['dump'], 'dump'],
    [['~dump'], '~dump'],
    [['upload'], 'upload'],
    // The compressor exits 1 and the dump dies of SIGPIPE: the compressor, whichever exit comes first.
    [['~dump', 'compress'], 'compress'],
    [['compress', '~dump'], 'compress'],
    // Failed in its own right, upstream: still the tool further down is blamed, as it broke the pipe.
    [['dump', 'compress'], 'compress'],
    [['compress', 'dump'], 'compress'],
    // A symptom downstream does not displace a real failure upstream: the dump died, and pv was stopped for it.
    [['dump', '~count'], 'dump'],
    [['~count', 'dump'], 'dump'],
    // The compressor's stream broke (a symptom), the agent stopped the tools upstream (symptoms), then its exit.
    [['~compress', '~dump', '~count', 'compress'], 'compress'],
    // Among symptoms, the one furthest down the chain.
    [['~dump', '~count', '~compress'], '~compress'],
    [['~compress', '~count', '~dump'], '~compress'],
    // The same tool twice: a stream's error, then its exit code, which says more.
    [['~compress', 'compress'], 'compress'],
    [['compress', '~compress'], 'compress'],
    // Three tools: the real failure furthest down wins over symptoms on either side.
    [['~dump', 'count', '~mark'], 'count'],
    [['~mark', '~dump', 'count'], 'count'],
    [['count', '~dump', 'mark'], 'mark'],
    // A failure that is no tool's (storage, a stop request) is never displaced, nor displaces a tool's.
    [['upload', 'compress'], 'upload'],
    [['upload', '~dump', 'compress'], 'upload'],
    [['compress', 'stop'], 'compress'],
    [['~dump', 'stop'], '~dump'],
  ])('%j reports %s', (sequence, cause) => {
    expect(reported(sequence)).toBe(cause);
  });

  function orders(items: string[]): string[][] {
    if (items.length <= 1) return [items];
    return items.flatMap((item, index) =>
      orders([...items.slice(0, index), ...items.slice(index + 1)]).map((rest) => [item, ...rest]),
    );
  }

  it.each([
    [['~dump', '~count', '~mark', 'compress'], 'compress'],
    [['dump', '~count', '~mark', '~compress'], 'dump'],
    [['~dump', 'count', '~mark', '~compress'], 'count'],
    [['~dump', '~count', '~mark', '~compress'], '~compress'],
  ])('tools failing as %j report %s in every order the agent may hear of them', (failures, cause) => {
    for (const order of orders(failures)) expect(reported(order), order.join(' ')).toBe(cause);
  });
});
