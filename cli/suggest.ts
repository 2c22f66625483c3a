// "Did you mean `list`?": the nearest known word to a mistyped command or option. The edit distance comes from
// `leven` (a small, well-kept library) rather than a hand-written one; what counts as near is ours.
import leven from 'leven';

/** The known word within two edits of `typed` (a swapped pair of letters is two) and nearer than its length. */
function nearest(typed: string, known: readonly string[]): string | undefined {
  let best: { word: string; distance: number } | undefined;
  for (const word of known) {
    const distance = leven(typed, word);
    if (distance <= 2 && distance < typed.replace(/^-+/, '').length && distance < (best?.distance ?? 3))
      best = { word, distance };
  }
  return best?.word;
}

/** ` (did you mean list?)`, or nothing when no known word is near. */
export function didYouMean(typed: string, known: readonly string[]): string {
  const word = nearest(typed, known);
  return word ? ` (did you mean ${word}?)` : '';
}
