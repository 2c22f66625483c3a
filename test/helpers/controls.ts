// The control characters in a text, newlines apart, written out independently of the code that strips them: the
// tests' own measure of what would reach a terminal.
export function controlsIn(text: string): string[] {
  return [...text].filter((char) => {
    const code = char.codePointAt(0) as number;
    return (code < 0x20 && code !== 0x0a) || (code >= 0x7f && code <= 0x9f);
  });
}
