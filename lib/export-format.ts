/**
 * CSV (RFC 4180) and NDJSON lines for the bulk exports.
 *
 * CSV cells are safe to open in a spreadsheet: crawled text that starts with
 * `=`, `+`, `-`, `@`, tab or carriage return would be run as a formula
 * (OWASP "CSV Injection"), so such a cell is prefixed with `'`. Numbers are
 * written as numbers, so negative values stay numeric.
 */

/** Characters that make a spreadsheet read a cell as a formula. */
const FORMULA_START = /^[=+\-@\t\r]/;

/** One CSV cell. */
export function csvCell(value: unknown): string {
  if (value === null || value === undefined) return '';
  if (typeof value === 'number' || typeof value === 'boolean') return String(value);
  let s = Array.isArray(value) ? value.join(' ') : String(value);
  if (FORMULA_START.test(s)) s = `'${s}`;
  return /[",\r\n]/.test(s) || s !== s.trim() ? `"${s.replaceAll('"', '""')}"` : s;
}

/** One CSV record with CRLF (RFC 4180 §2). */
export function csvLine(values: readonly unknown[]): string {
  return `${values.map(csvCell).join(',')}\r\n`;
}

/** One NDJSON line. JSON escapes U+2028/2029 are added so a line never splits in a JS reader. */
export function ndjsonLine(value: unknown): string {
  return `${JSON.stringify(value).replace(/\u2028/g, '\\u2028').replace(/\u2029/g, '\\u2029')}\n`;
}

/**
 * A byte stream of an export: the header (CSV) and one line per row, pulled
 * from `rows` only as fast as the client reads (back-pressure), cancelled
 * when the client goes away.
 */
export function exportStream<T extends object>(rows: AsyncGenerator<T>, format: 'csv' | 'ndjson', columns: readonly (keyof T & string)[]): ReadableStream<Uint8Array> {
  const encoder = new TextEncoder();
  let headerSent = format !== 'csv';
  return new ReadableStream<Uint8Array>({
    async pull(controller) {
      if (!headerSent) {
        headerSent = true;
        controller.enqueue(encoder.encode(csvLine(columns)));
        return;
      }
      // Batch a few hundred lines per chunk: one enqueue per row would cost more than the row.
      let chunk = '';
      for (let i = 0; i < 256; i++) {
        const next = await rows.next();
        if (next.done) {
          if (chunk) controller.enqueue(encoder.encode(chunk));
          controller.close();
          return;
        }
        const row = next.value;
        chunk += format === 'csv' ? csvLine(columns.map((c) => row[c])) : ndjsonLine(row);
      }
      controller.enqueue(encoder.encode(chunk));
    },
    async cancel() {
      await rows.return(undefined);
    },
  });
}
