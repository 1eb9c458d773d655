/**
 * Where the CLI's pino logger writes: JSON lines when stderr is a pipe or a
 * file (for journald, a log shipper, `jq`), readable lines when it is a
 * terminal. On a terminal a live status line (the crawl progress bar) may
 * sit on the last row; each log line then clears it, prints above it and
 * redraws it, instead of landing in the middle of the bar.
 *
 * Writes are synchronous (pino calls `write` once per line; a TTY and a pipe
 * on Linux take it at once), so a log line and the bar never interleave.
 */
import { formatLogLine } from './format-log-line.ts';

/** A line that stays below the log output, e.g. a progress bar. */
export interface StatusLine {
  /** Erase the line; the cursor is left at its start. */
  clear(): void;
  /** Draw it again on the current row. */
  redraw(): void;
}

/** Options of {@link LogDestination}. */
export interface LogDestinationOptions {
  /** Readable lines instead of JSON. @default `stream.isTTY === true` */
  pretty?: boolean;
}

/** A pino destination (`write(line)`) that knows about a status line below it. */
export class LogDestination {
  readonly #stream: NodeJS.WritableStream & { isTTY?: boolean };
  /** True: format each JSON line for a person; false: pass it through untouched. */
  readonly pretty: boolean;
  /** The status line currently shown below the log, if any (only ever set when pretty). */
  #status: StatusLine | undefined;

  constructor(stream: NodeJS.WritableStream & { isTTY?: boolean }, options: LogDestinationOptions = {}) {
    this.#stream = stream;
    this.pretty = options.pretty ?? stream.isTTY === true;
  }

  /** Called by pino with one serialised record, newline included. */
  write(line: string): void {
    if (!this.pretty) {
      this.#stream.write(line);
      return;
    }
    const text = line.endsWith('\n') ? line.slice(0, -1) : line;
    this.#status?.clear();
    this.#stream.write(`${formatLogLine(text)}\n`);
    this.#status?.redraw();
  }

  /**
   * Keep `status` below the log lines until the returned function is called.
   * With JSON output the log is not on the terminal, so there is nothing to
   * step around and `status` is never touched.
   */
  holdStatusLine(status: StatusLine): () => void {
    if (!this.pretty) return () => {};
    this.#status = status;
    return () => {
      if (this.#status === status) this.#status = undefined;
    };
  }
}
