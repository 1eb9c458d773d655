/**
 * The shape of a `chatlas` sub-command. Each lives in jobs/commands/<name>.ts
 * and is registered in jobs/cli.ts; options are node:util parseArgs options.
 */
import type { ParseArgsConfig } from 'node:util';
import type { Logger } from 'pino';
import type { LogDestination } from './log-destination.ts';

/** What a command receives. Only jobs/cli.ts reads process.env; commands get it here. */
export interface CommandContext {
  /** Parsed flags (global and the command's own). */
  flags: Record<string, string | boolean | undefined>;
  /** Positional arguments after the command name. */
  positionals: string[];
  env: Record<string, string | undefined>;
  stdout: NodeJS.WritableStream & { isTTY?: boolean };
  stderr: NodeJS.WritableStream & { isTTY?: boolean };
  logger: Logger;
  /** Where `logger` writes; a live status line (the crawl bar) registers here so log lines print above it. */
  logOutput: Pick<LogDestination, 'holdStatusLine'>;
  /** Aborted on SIGINT/SIGTERM: long commands stop cleanly. */
  signal: AbortSignal;
}

export interface CommandSpec {
  name: string;
  /** One line for the command list. */
  summary: string;
  /** Usage line(s) and details for `chatlas <name> --help`. */
  help: string;
  options: NonNullable<ParseArgsConfig['options']>;
  /** Which configuration tables apply (their flags are accepted, their rows shown in --help). */
  config: ReadonlyArray<'db' | 'crawl' | 'server' | 'pass' | 'federation'>;
  /** Resolves to the exit code. */
  run(ctx: CommandContext): Promise<number>;
}
