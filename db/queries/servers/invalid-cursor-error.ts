/**
 * A paging cursor that Chatlas did not issue, or that belongs to another sort.
 * Routes answer it with 400; it never reaches SQL.
 */
export class InvalidCursorError extends Error {
  override name = 'InvalidCursorError';
  readonly code = 'query.invalid-cursor';
}
