/**
 * Errors the CLI turns into one line and an exit code (see EXIT_CODES).
 * Anything else is a bug: one line too, and the stack with CHATLAS_DEBUG=1.
 */

/** Exit codes of the `chatlas` command, documented in `chatlas --help` and the README. */
export const EXIT_CODES = {
  ok: 0,
  /** A run that failed (crawl errors, a bug). */
  failure: 1,
  /** The command line or configuration is wrong. */
  usage: 2,
  /** The store cannot be opened or migrated. */
  store: 3,
  /** The probe ran, but the server could not be reached or understood. */
  probeFailed: 4,
} as const;

/** A mistake in the command line: printed with a hint to `--help`, exit 2. */
export class UsageError extends Error {
  override name = 'UsageError';
}
