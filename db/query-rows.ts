import type { Db } from './client.ts';

/**
 * Run one read query and return its rows, with every value bound as a
 * `{name:Type}` parameter. 64-bit integers come back as JSON numbers (counts
 * in Chatlas stay far below 2^53), so callers need no string-to-number dance.
 */
export async function queryRows<T>(db: Db, query: string, params: Record<string, unknown> = {}): Promise<T[]> {
  const rs = await db.client.query({
    query,
    query_params: params,
    format: 'JSONEachRow',
    // prefer_column_name_to_alias: an output alias such as `toString(day) AS day` must not change what
    // `day` means in WHERE or inside aggregates of the same query.
    clickhouse_settings: { output_format_json_quote_64bit_integers: 0, prefer_column_name_to_alias: 1 },
  });
  return rs.json<T>();
}
