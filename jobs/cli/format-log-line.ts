/**
 * One pino JSON line as a line a person reads in a terminal:
 * `14:03:07 INFO  pass started passId=… planned=120`.
 *
 * Log fields can carry text from the network (a domain, a server's error
 * message), and a terminal obeys escape sequences: every control character
 * (C0, DEL and C1, which includes the 8-bit CSI) is shown escaped, never
 * written raw.
 */

/** pino's numeric levels and the labels shown for them. */
const LEVEL_LABELS: Record<number, string> = { 10: 'TRACE', 20: 'DEBUG', 30: 'INFO', 40: 'WARN', 50: 'ERROR', 60: 'FATAL' };

/** Fields every line has, or that say nothing to a person watching one process. */
const HIDDEN = new Set(['level', 'time', 'msg', 'app', 'pid', 'hostname', 'v']);

const CONTROL = /[\u0000-\u001f\u007f-\u009f]/g;
/** A value printed without quotes: no spaces, quotes, `=` or control characters. */
const BARE = /^[\w.:/@+,%#*~-]+$/;

/** Escape control characters as `\uXXXX` so none reaches the terminal. */
function escapeControls(s: string): string {
  return s.replace(CONTROL, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`);
}

/** `key=value`, quoting strings that need it and writing objects as JSON. */
function formatValue(value: unknown): string {
  if (typeof value === 'string') return BARE.test(value) ? value : escapeControls(JSON.stringify(value));
  if (value !== null && typeof value === 'object') {
    // pino serialises errors as { type, message, stack }: the message is what a person needs
    // on a terminal (CHATLAS_DEBUG and the JSON logs keep the stack).
    const err = value as { type?: unknown; message?: unknown; stack?: unknown };
    if (typeof err.message === 'string' && typeof err.stack === 'string') return escapeControls(JSON.stringify(err.message));
    return escapeControls(JSON.stringify(value));
  }
  return String(value);
}

/** Two digits. */
const pad = (n: number) => String(n).padStart(2, '0');

/**
 * Format one pino JSON line (without its newline) for a terminal, in local
 * time. A line that is not a JSON object is returned with its control
 * characters escaped, so nothing is lost and nothing reaches the terminal raw.
 */
export function formatLogLine(json: string): string {
  let record: Record<string, unknown>;
  try {
    const parsed: unknown = JSON.parse(json);
    if (parsed === null || typeof parsed !== 'object' || Array.isArray(parsed)) return escapeControls(json);
    record = parsed as Record<string, unknown>;
  } catch {
    return escapeControls(json);
  }
  const at = typeof record.time === 'number' ? new Date(record.time) : undefined;
  const time = at ? `${pad(at.getHours())}:${pad(at.getMinutes())}:${pad(at.getSeconds())} ` : '';
  const level = (LEVEL_LABELS[Number(record.level)] ?? String(record.level ?? '')).padEnd(5);
  const msg = typeof record.msg === 'string' ? ` ${escapeControls(record.msg)}` : '';
  const fields = Object.entries(record)
    .filter(([key, value]) => !HIDDEN.has(key) && value !== undefined)
    .map(([key, value]) => ` ${escapeControls(key)}=${formatValue(value)}`)
    .join('');
  return `${time}${level}${msg}${fields}`;
}
