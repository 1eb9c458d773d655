/**
 * Storage configuration: the embedded engine (chdb, a folder on disk) unless
 * `CLICKHOUSE_URL` names a ClickHouse server or cluster.
 */
import { z } from 'zod';
import { ConfigError, resolveConfig, type ConfigOf, type ConfigSources } from '../lib/config-table.ts';

const url = z.string().refine((s) => {
  try {
    const u = new URL(s);
    return u.protocol === 'http:' || u.protocol === 'https:';
  } catch {
    return false;
  }
}, 'expected an http:// or https:// URL');

const identifier = z.string().regex(/^[A-Za-z_][A-Za-z0-9_]{0,63}$/, 'expected a plain identifier ([A-Za-z_][A-Za-z0-9_]*)');

/** The storage field table. See the README's configuration section. */
export const dbConfigTable = {
  dataDir: {
    env: 'CHATLAS_DATA',
    flag: 'data',
    schema: z.string().min(1),
    default: './data',
    doc: 'Folder of the embedded ClickHouse store (chdb), used when CLICKHOUSE_URL is unset.',
  },
  url: {
    env: 'CLICKHOUSE_URL',
    flag: 'clickhouse-url',
    schema: url.optional(),
    default: undefined as string | undefined,
    doc: 'ClickHouse server HTTP(S) URL; when set, Chatlas uses it instead of the embedded store.',
  },
  user: {
    env: 'CLICKHOUSE_USER',
    schema: z.string(),
    default: 'default',
    doc: 'ClickHouse server user.',
  },
  password: {
    env: 'CLICKHOUSE_PASSWORD',
    schema: z.string(),
    default: '',
    doc: 'ClickHouse server password.',
    secret: true,
  },
  database: {
    env: 'CLICKHOUSE_DATABASE',
    flag: 'database',
    schema: identifier,
    default: 'chatlas',
    doc: 'Database that holds the Chatlas tables (created by migrate).',
  },
  cluster: {
    env: 'CLICKHOUSE_CLUSTER',
    flag: 'cluster',
    schema: identifier.optional(),
    default: undefined as string | undefined,
    doc: 'Cluster name: migrate creates replicated tables ON CLUSTER in `chatlas_local` (the database name + `_local`) and Distributed tables over them in `chatlas`, sharded by server (server only).',
  },
};

/** Resolved storage configuration. */
export type DbConfig = ConfigOf<typeof dbConfigTable>;

/** Parse the storage configuration once. @throws {ConfigError} quoting the bad value. */
export function loadDbConfig(sources: ConfigSources): DbConfig {
  const config = resolveConfig(dbConfigTable, sources);
  if (config.cluster && !config.url) {
    // Which of the two sources set it decides what the message names, as resolveConfig does.
    const source = typeof sources.flags?.cluster === 'string' ? '--cluster' : 'CLICKHOUSE_CLUSTER';
    throw new ConfigError(source, `${source}=${JSON.stringify(config.cluster)} needs CLICKHOUSE_URL: the embedded store has no cluster`);
  }
  return config;
}
