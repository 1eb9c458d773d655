/**
 * Failures of the store that a person must act on. The CLI prints the
 * message as one line and exits with code 3; callers branch on `code`.
 */
export type StoreErrorCode =
  | 'store.engine-missing'
  | 'store.busy'
  | 'store.not-a-store'
  | 'store.corrupt'
  | 'store.unreachable'
  | 'store.auth'
  | 'store.migration-failed'
  | 'store.migration-edited';

export class StoreError extends Error {
  override name = 'StoreError';
  readonly code: StoreErrorCode;
  constructor(code: StoreErrorCode, message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.code = code;
  }

  /** Classify a failure to reach or use a ClickHouse server. */
  static fromServer(where: string, error: unknown): StoreError {
    const e = error as { code?: string; type?: string; message?: string };
    const message = String(e?.message ?? error).split('\n')[0];
    if (e?.type === 'AUTHENTICATION_FAILED' || e?.code === '516' || /Authentication failed|password is incorrect/i.test(message ?? '')) {
      return new StoreError('store.auth', `ClickHouse at ${where} refused the login: check CLICKHOUSE_USER and CLICKHOUSE_PASSWORD`, { cause: error });
    }
    if (e?.code === 'ECONNREFUSED' || e?.code === 'ENOTFOUND' || e?.code === 'ETIMEDOUT' || e?.code === 'ECONNRESET') {
      return new StoreError('store.unreachable', `cannot reach ClickHouse at ${where} (${e.code})`, { cause: error });
    }
    return new StoreError('store.unreachable', `ClickHouse at ${where} failed: ${message}`, { cause: error });
  }
}
