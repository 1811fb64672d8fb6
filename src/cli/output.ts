// How the gatehouse command prints: aligned tables, "key: value" blocks, times people can read, and JSON.

/** Prints one JSON document, pretty, on stdout. */
export function printJson(value: unknown): void {
  process.stdout.write(JSON.stringify(value, null, 2) + '\n');
}

export function print(line = ''): void {
  process.stdout.write(line + '\n');
}

/** A table with upper-case headers and columns padded to their widest cell; `empty` is printed when there are no rows. */
export function printTable(headers: string[], rows: string[][], empty: string): void {
  if (rows.length === 0) {
    print(empty);
    return;
  }
  const widths = headers.map((header, i) => Math.max(header.length, ...rows.map((row) => (row[i] ?? '').length)));
  const line = (cells: string[]): string =>
    cells
      .map((cell, i) => (i === cells.length - 1 ? cell : cell.padEnd(widths[i]!)))
      .join('  ')
      .trimEnd();
  print(line(headers.map((h) => h.toUpperCase())));
  for (const row of rows) print(line(row));
}

/** "Label:  value" lines with the values aligned; a value given as a list continues under itself. */
export function printFields(fields: Array<[label: string, value: string | string[]]>): void {
  const width = Math.max(...fields.map(([label]) => label.length)) + 2;
  for (const [label, value] of fields) {
    const values = Array.isArray(value) ? (value.length ? value : ['(none)']) : [value];
    values.forEach((v, i) => print(`${(i === 0 ? `${label}:` : '').padEnd(width)}${v}`));
  }
}

/** Seconds since the epoch as "2025-03-01 14:05:09 UTC". */
export function formatTime(seconds: number | null | undefined): string {
  if (seconds === null || seconds === undefined) return '-';
  return new Date(seconds * 1000).toISOString().replace('T', ' ').replace(/\.\d{3}Z$/, ' UTC');
}

/** A rough distance in time, to the nearest unit: "in 1h" (for 59m59s), "3d ago". */
export function relativeTime(seconds: number, now: number): string {
  const delta = seconds - now;
  const size = Math.abs(delta);
  let amount: string;
  if (size < 59.5) amount = `${size}s`;
  else if (size < 59.5 * 60) amount = `${Math.round(size / 60)}m`;
  else if (size < 23.5 * 3600) amount = `${Math.round(size / 3600)}h`;
  else amount = `${Math.round(size / 86400)}d`;
  return delta >= 0 ? `in ${amount}` : `${amount} ago`;
}
