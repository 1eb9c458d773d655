import type { Db } from '../../client.ts';

/**
 * Run a read query and yield its rows one by one as the store streams them,
 * so an export of a million rows never sits in memory.
 */
export async function* streamRows<T>(db: Db, query: string, params: Record<string, unknown> = {}, signal?: AbortSignal): AsyncGenerator<T> {
  const rs = await db.client.query({
    query,
    query_params: params,
    format: 'JSONEachRow',
    clickhouse_settings: { output_format_json_quote_64bit_integers: 0 },
    ...(signal ? { abort_signal: signal } : {}),
  });
  for await (const batch of rs.stream()) {
    for (const row of batch as Array<{ json<R>(): R }>) yield row.json<T>();
  }
}
