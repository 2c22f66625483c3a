// SQL-looking text of a chosen size that compresses like a real dump: repeated shapes, varying numbers.

/** Deterministic, so a failing test fails the same way every run. */
export function sampleDump(bytes: number): Buffer {
  const lines: string[] = ['-- MariaDB dump', 'CREATE TABLE `events` (`id` int, `note` text);'];
  let length = 0;
  for (let row = 0; length < bytes; row += 1) {
    const line = `INSERT INTO \`events\` VALUES (${row},'patient ${(row * 7919) % 50021}: checkup ${row % 97}');`;
    lines.push(line);
    length += line.length + 1;
  }
  return Buffer.from(`${lines.join('\n')}\n`).subarray(0, bytes);
}
