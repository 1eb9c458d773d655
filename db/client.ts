/**
 * The only place that knows the embedded engine from a ClickHouse server.
 *
 * Both are reached through `@clickhouse/client`; the embedded engine is
 * plugged in as its transport with `chdb/connection`, so every query in
 * `db/queries` runs unchanged on either.
 * See chdb-node `docs/design/pluggable-connection.md`.
 */
import { existsSync, mkdirSync, readFileSync, readdirSync, statSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { ClickHouseLogLevel, createClient, type ClickHouseClient } from '@clickhouse/client';
import { CLUSTER_SETTINGS } from './cluster-settings.ts';
import { localDatabase } from './cluster-ddl.ts';
import type { DbConfig } from './config.ts';
import { StoreError } from './store-error.ts';

/** An open store. */
export interface Db {
  /** The ClickHouse client; queries bind values as `{name:Type}` parameters. */
  readonly client: ClickHouseClient;
  /** `embedded` (chdb in this process) or `server` (CLICKHOUSE_URL). */
  readonly kind: 'embedded' | 'server';
  /** Database holding the Chatlas tables. */
  readonly database: string;
  /**
   * Cluster, when configured: `database` then holds Distributed tables over
   * the replicated tables of `<database>_local` (db/cluster-ddl.ts).
   */
  readonly cluster: string | undefined;
  /** A client on `<database>_local`, where migrate creates the tables; cluster mode only. */
  readonly localClient: ClickHouseClient | undefined;
  /** Where the data lives: the folder, or the server URL without credentials. */
  readonly location: string;
  close(): Promise<void>;
}

/** Marker file that tells a Chatlas data folder from any other folder. */
const MARKER = '.chatlas-store';

/**
 * Open the store described by `config` and make sure its database exists.
 * @throws {StoreError} with a one-line message a person can act on.
 */
export async function createDb(config: DbConfig): Promise<Db> {
  return config.url ? openServer(config, config.url) : openEmbedded(config);
}

async function openServer(config: DbConfig, url: string): Promise<Db> {
  const shown = redactUrl(url);
  // First connect without a database: it may not exist yet.
  const bootstrap = createClient({
    url,
    username: config.user,
    password: config.password,
    request_timeout: 30_000,
    clickhouse_settings: { wait_end_of_query: 1 },
    // The client logs failures to stderr itself; ours are reported once, as StoreError lines.
    log: { level: ClickHouseLogLevel.OFF },
  });
  try {
    const onCluster = config.cluster ? ` ON CLUSTER ${config.cluster}` : '';
    await bootstrap.command({ query: `CREATE DATABASE IF NOT EXISTS ${config.database}${onCluster}` });
    if (config.cluster) await bootstrap.command({ query: `CREATE DATABASE IF NOT EXISTS ${localDatabase(config.database)}${onCluster}` });
  } catch (error) {
    throw StoreError.fromServer(shown, error);
  } finally {
    await bootstrap.close();
  }
  const open = (database: string) => createClient({
    url,
    username: config.user,
    password: config.password,
    database,
    request_timeout: 300_000,
    // On a cluster every query and insert goes through Distributed tables: see cluster-settings.ts.
    clickhouse_settings: config.cluster ? { wait_end_of_query: 1, ...CLUSTER_SETTINGS } : { wait_end_of_query: 1 },
    log: { level: ClickHouseLogLevel.OFF },
  });
  const client = open(config.database);
  const localClient = config.cluster ? open(localDatabase(config.database)) : undefined;
  return {
    client, kind: 'server', database: config.database, cluster: config.cluster, localClient, location: shown,
    close: async () => {
      await Promise.all([client.close(), localClient?.close()]);
    },
  };
}

async function openEmbedded(config: DbConfig): Promise<Db> {
  const dir = resolve(config.dataDir);
  prepareDataDir(dir);
  let createChdbConnection: ChdbConnectionModule['createChdbConnection'];
  try {
    ({ createChdbConnection } = (await import('chdb/connection' as string)) as ChdbConnectionModule);
  } catch {
    throw new StoreError('store.engine-missing', `the embedded store needs the optional package "chdb" (npm install chdb), or set CLICKHOUSE_URL to use a ClickHouse server`);
  }
  refuseIfLocked(dir);
  let connection: unknown;
  try {
    connection = createChdbConnection({ path: dir });
  } catch (error) {
    // chdb takes an exclusive lock on <dir>/status; a second process fails here.
    throw new StoreError('store.busy', `cannot open the embedded store at ${dir}: another process is using it (stop it first, or set CHATLAS_DATA to another folder)`, { cause: error });
  }
  // The `connection` hook is experimental in @clickhouse/client and not in its public option types yet.
  const client = createClient({ connection: isolateSettings(connection as ChdbLikeConnection) } as Parameters<typeof createClient>[0]);
  try {
    await client.command({ query: `CREATE DATABASE IF NOT EXISTS ${config.database}` });
    // chdb/connection ignores the client's `database` option; the session keeps USE.
    await client.command({ query: `USE ${config.database}` });
  } catch (error) {
    await client.close();
    throw new StoreError('store.corrupt', `the embedded store at ${dir} could not be opened: ${firstLine(error)}`, { cause: error });
  }
  return { client, kind: 'embedded', database: config.database, cluster: undefined, localClient: undefined, location: dir, close: () => client.close() };
}

/**
 * The part of the optional `chdb/connection` module used here, declared here
 * so that `npm run check` passes without chdb (a server deployment installs
 * with `--omit=optional`). The import's specifier is cast to `string`:
 * TypeScript then does not resolve it, whether chdb is installed or not, so
 * both type-check alike; type stripping erases the cast, and Node and Vite
 * still see the literal import. (An ambient `declare module` would merge with
 * chdb's own types when it is installed, and type differently without it.)
 */
interface ChdbConnectionModule {
  createChdbConnection(options: { path: string }): unknown;
}

/** The part of chdb's Connection that takes per-call settings. */
interface ChdbLikeConnection {
  query(params: { clickhouse_settings?: Record<string, unknown> }): Promise<unknown>;
  exec(params: { clickhouse_settings?: Record<string, unknown> }): Promise<unknown>;
  command(params: { query: string; clickhouse_settings?: Record<string, unknown> }): Promise<unknown>;
  insert(params: { clickhouse_settings?: Record<string, unknown> }): Promise<unknown>;
}

/**
 * chdb/connection applies a call's `clickhouse_settings` as `SET k = v;` on
 * the one engine session, so they outlive the call: a query's
 * `prefer_column_name_to_alias` changed how later queries resolve aliases,
 * and an insert's `insert_deduplication_token` would have been reused by the
 * next insert without one (silently dropped as a duplicate). Over HTTP these
 * settings are per request. This wrapper restores that: calls with settings
 * run one at a time and set each key back to DEFAULT afterwards, before any
 * other call runs. The engine runs one statement at a time anyway, so the
 * queue costs no throughput.
 */
export function isolateSettings<T extends ChdbLikeConnection>(connection: T): T {
  let tail: Promise<unknown> = Promise.resolve();
  const command = connection.command.bind(connection);
  const serial = <R>(op: () => Promise<R>): Promise<R> => {
    const run = tail.then(op, op);
    tail = run.catch(() => undefined);
    return run;
  };
  for (const method of ['query', 'exec', 'command', 'insert'] as const) {
    const original = (connection[method] as (p: { clickhouse_settings?: Record<string, unknown> }) => Promise<unknown>).bind(connection);
    (connection as unknown as Record<string, unknown>)[method] = (params: { clickhouse_settings?: Record<string, unknown> }) => serial(async () => {
      const keys = Object.entries(params.clickhouse_settings ?? {})
        .filter(([k, v]) => v !== undefined && /^[A-Za-z_][A-Za-z0-9_]*$/.test(k) && !HTTP_ONLY.has(k))
        .map(([k]) => k);
      try {
        return await original(params);
      } finally {
        if (keys.length > 0) await command({ query: keys.map((k) => `SET ${k} = DEFAULT`).join('; ') });
      }
    });
  }
  return connection;
}

/** Settings chdb/connection drops instead of SETting (HTTP-only); nothing to reset for them. */
const HTTP_ONLY = new Set(['wait_end_of_query', 'send_progress_in_http_headers', 'http_response_buffer_size', 'http_headers_progress_interval_ms', 'http_send_progress_interval_ms', 'enable_http_compression', 'http_zlib_compression_level', 'http_response_compression_method', 'http_native_compression_disable_checksumming_on_decompress', 'default_format']);

/**
 * Refuse a path that is a file, or a non-empty folder that is not ours, so a
 * typo in CHATLAS_DATA never scatters ClickHouse files into someone's home.
 */
function prepareDataDir(dir: string): void {
  if (existsSync(dir)) {
    if (!statSync(dir).isDirectory()) {
      throw new StoreError('store.not-a-store', `CHATLAS_DATA=${JSON.stringify(dir)} is not a folder`);
    }
    const entries = readdirSync(dir);
    if (entries.length > 0 && !entries.includes(MARKER)) {
      throw new StoreError('store.not-a-store', `CHATLAS_DATA=${JSON.stringify(dir)} is a folder that is not a Chatlas store (no ${MARKER} in it); choose an empty or new folder`);
    }
    if (entries.length > 0) return;
  } else {
    try {
      mkdirSync(dir, { recursive: true });
    } catch (error) {
      throw new StoreError('store.not-a-store', `cannot create the data folder ${JSON.stringify(dir)}: ${firstLine(error)}`, { cause: error });
    }
  }
  writeFileSync(join(dir, MARKER), 'This folder is a Chatlas embedded ClickHouse store (chdb). Do not edit it by hand.\n');
}

/**
 * The engine writes `PID: n` into <dir>/status and holds a lock on it while
 * open, and removes it on a clean close. Checking the PID first gives one
 * clear line instead of the engine's own message on stderr; a status file
 * left by a killed process (PID gone) is stale and the engine takes it over.
 */
function refuseIfLocked(dir: string): void {
  let text: string;
  try {
    text = readFileSync(join(dir, 'status'), 'utf8');
  } catch {
    return;
  }
  const pid = Number(/^PID: (\d+)/m.exec(text)?.[1]);
  if (!Number.isInteger(pid) || pid <= 0 || pid === process.pid) return;
  try {
    process.kill(pid, 0);
  } catch (error) {
    // ESRCH: no such process, the lock is stale. EPERM: alive but not ours.
    if ((error as { code?: string }).code === 'ESRCH') return;
  }
  throw new StoreError('store.busy', `cannot open the embedded store at ${dir}: process ${pid} is using it (stop it first, or set CHATLAS_DATA to another folder)`);
}

/** The URL with any credentials removed, for messages and logs. */
export function redactUrl(url: string): string {
  try {
    const u = new URL(url);
    u.username = '';
    u.password = '';
    return u.toString();
  } catch {
    return '(invalid URL)';
  }
}

function firstLine(error: unknown): string {
  const message = error instanceof Error ? error.message : String(error);
  return message.split('\n')[0]!.trim();
}
