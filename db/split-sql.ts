/**
 * Split a migration file into statements at top-level `;`, dropping `--`
 * comments. Quotes (`'…'`, `` `…` ``, `"…"`) are respected so a `;` or `--`
 * inside a literal or identifier does not cut a statement.
 */
export function splitSql(sql: string): string[] {
  const statements: string[] = [];
  let current = '';
  let quote: string | null = null;
  for (let i = 0; i < sql.length; i++) {
    const ch = sql[i]!;
    if (quote) {
      current += ch;
      if (ch === '\\' && i + 1 < sql.length) {
        current += sql[++i];
      } else if (ch === quote) {
        quote = null;
      }
      continue;
    }
    if (ch === '-' && sql[i + 1] === '-') {
      // A comment runs to the end of the line.
      while (i < sql.length && sql[i] !== '\n') i++;
      current += '\n';
      continue;
    }
    if (ch === "'" || ch === '"' || ch === '`') {
      quote = ch;
      current += ch;
      continue;
    }
    if (ch === ';') {
      if (current.trim()) statements.push(current.trim());
      current = '';
      continue;
    }
    current += ch;
  }
  if (current.trim()) statements.push(current.trim());
  return statements;
}
