// CSV for every figure a person reads (RFC 4180: CRLF, fields quoted when they hold a comma, quote or line
// break). A cell that starts with = + - @ is prefixed with ' so a spreadsheet does not run it as a formula.

export type Cell = string | number | boolean | null | undefined;

/** Rows (the first one the header) as CSV text. */
export function toCsv(rows: readonly (readonly Cell[])[]): string {
  return `${rows.map((r) => r.map(cell).join(',')).join('\r\n')}\r\n`;
}

function cell(v: Cell): string {
  if (v === null || v === undefined) return '';
  let s = String(v);
  if (typeof v === 'string' && /^[=+\-@\t\r]/.test(s)) s = `'${s}`;
  return /[",\r\n]/.test(s) ? `"${s.replaceAll('"', '""')}"` : s;
}

/** Offer `content` (text, or bytes kept exactly as they are) as a file download named `filename`. */
export function download(
  filename: string,
  content: string | Uint8Array<ArrayBuffer>,
  type = 'text/csv;charset=utf-8',
): void {
  const url = URL.createObjectURL(new Blob([content], { type }));
  const a = document.createElement('a');
  a.href = url;
  a.download = filename;
  document.body.append(a);
  a.click();
  a.remove();
  setTimeout(() => URL.revokeObjectURL(url), 1000);
}
