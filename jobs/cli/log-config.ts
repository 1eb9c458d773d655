/**
 * Logging configuration, shared by every command: `jobs/cli.ts` resolves it
 * before it builds the logger, so `--log-level` and `CHATLAS_LOG_LEVEL` apply
 * to `crawl`, `probe`, `migrate` and `export` as much as to `serve`.
 */
import { z } from 'zod';
import { resolveConfig, type ConfigOf, type ConfigSources } from '../../lib/config-table.ts';

/** pino's own level names, least to most verbose, plus `silent`. */
export const LOG_LEVELS = ['silent', 'fatal', 'error', 'warn', 'info', 'debug', 'trace'] as const;
export type LogLevel = (typeof LOG_LEVELS)[number];

/** The logging field table. */
export const logConfigTable = {
  /**
   * Least severe level written. `info` logs what a run does (passes,
   * rollups, the address served); `debug` adds a line per HTTP request,
   * per migration and per warm-up fetch.
   * @default 'info'
   */
  logLevel: {
    env: 'CHATLAS_LOG_LEVEL',
    flag: 'log-level',
    schema: z.enum(LOG_LEVELS),
    default: 'info' as LogLevel,
    doc: 'Least severe log level written (silent, fatal, error, warn, info, debug, trace); debug adds a line per HTTP request. Logs go to stderr: readable lines on a terminal, JSON lines otherwise.',
  },
};

export type LogConfig = ConfigOf<typeof logConfigTable>;

/** @throws {ConfigError} quoting the bad value. */
export function loadLogConfig(sources: ConfigSources): LogConfig {
  return resolveConfig(logConfigTable, sources);
}
