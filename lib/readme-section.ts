/** The README's generated configuration section lies between these two markers. */
const START = /<!-- config-table:start[^>]*-->\n/;
const END = '<!-- config-table:end -->';

/** The text between the markers, or null when they are missing. */
export function configSection(readme: string): string | null {
  const start = START.exec(readme);
  const end = readme.indexOf(END);
  if (!start || end < 0) return null;
  return readme.slice(start.index + start[0].length, end).trim();
}

/** `readme` with the section replaced by `table`. */
export function replaceConfigSection(readme: string, table: string): string {
  const start = START.exec(readme);
  const end = readme.indexOf(END);
  if (!start || end < 0) throw new Error('README.md lacks the config-table markers');
  return `${readme.slice(0, start.index + start[0].length)}${table}\n${readme.slice(end)}`;
}
