/**
 * `chatlas`: the command line and composition root. The only module (with the
 * server entry) that reads `process.env`: it parses the configuration tables
 * once and hands values to the commands.
 *
 * Exit codes: see jobs/cli/errors.ts EXIT_CODES.
 */
import { parseArgs, type ParseArgsConfig } from 'node:util';
import { pino } from 'pino';
import { ConfigError, describeConfig, type ConfigTable } from '../lib/config-table.ts';
import { dbConfigTable } from '../db/config.ts';
import { StoreError } from '../db/store-error.ts';
import { crawlConfigTable } from '../crawler/config.ts';
import { passConfigTable, serverConfigTable } from './config.ts';
import { EXIT_CODES, UsageError } from './cli/errors.ts';
import { loadLogConfig, logConfigTable } from './cli/log-config.ts';
import { LogDestination } from './cli/log-destination.ts';
import type { CommandSpec } from './cli/command.ts';
import { migrateCommand } from './commands/migrate.ts';
import { probeCommand } from './commands/probe.ts';
import { crawlCommand } from './commands/crawl.ts';
import { serveCommand } from './commands/serve.ts';
import { federationConfigTable } from '../federation/config.ts';
import { CHATLAS_VERSION } from './version.ts';
import { exportCommand } from './commands/export.ts';
import { demoCommand } from './commands/demo.ts';
import { keysCommand } from './commands/keys.ts';

const COMMANDS: CommandSpec[] = [serveCommand, crawlCommand, probeCommand, migrateCommand, exportCommand, keysCommand, demoCommand];

/** The commands' configuration tables, and `log`, which every command takes. */
const TABLES: Record<'db' | 'crawl' | 'server' | 'pass' | 'federation' | 'log', ConfigTable> = {
  federation: federationConfigTable as unknown as ConfigTable,
  db: dbConfigTable,
  log: logConfigTable as unknown as ConfigTable,
  crawl: crawlConfigTable as unknown as ConfigTable,
  server: serverConfigTable as unknown as ConfigTable,
  pass: passConfigTable as unknown as ConfigTable,
};


function generalHelp(): string {
  const width = Math.max(...COMMANDS.map((c) => c.name.length));
  return [
    'chatlas — an observatory of the XMPP and Matrix federations',
    '',
    'Usage: chatlas <command> [options]',
    '',
    'Commands:',
    ...COMMANDS.map((c) => `  ${c.name.padEnd(width)}  ${c.summary}`),
    '',
    'Run `chatlas <command> --help` for a command\'s options and configuration.',
    'Options: --help, --version, and for every command --log-level <level> (CHATLAS_LOG_LEVEL)',
    '',
    'Exit codes: 0 ok, 1 failure, 2 usage or configuration error, 3 store error,',
    '            4 probe found the server unreachable or broken.',
  ].join('\n');
}

function commandHelp(cmd: CommandSpec): string {
  const lines = [cmd.help.trim(), ''];
  const own = Object.entries(cmd.options);
  if (own.length > 0) {
    lines.push('Options:');
    for (const [name, o] of own) lines.push(`  --${name}${o.type === 'string' ? ' <value>' : ''}${o.short ? `, -${o.short}` : ''}`);
    lines.push('');
  }
  for (const table of [...cmd.config, 'log'] as const) {
    lines.push(`Configuration (${table}): flag > environment > default`);
    for (const row of describeConfig(TABLES[table])) {
      const names = [row.flag, row.env].filter(Boolean).join(', ');
      lines.push(`  ${names}${row.default ? `  [default: ${row.default}]` : ''}`);
      lines.push(`      ${row.doc}`);
    }
    lines.push('');
  }
  return lines.join('\n').trimEnd();
}

/** parseArgs options: the command's own plus every flag of its configuration tables. */
function optionsFor(cmd: CommandSpec): NonNullable<ParseArgsConfig['options']> {
  const options: NonNullable<ParseArgsConfig['options']> = { help: { type: 'boolean', short: 'h' }, ...cmd.options };
  for (const table of [...cmd.config, 'log'] as const) {
    for (const field of Object.values(TABLES[table])) {
      if (field.flag) options[field.flag] = { type: 'string' };
    }
  }
  return options;
}

/** Run the CLI with `argv` (without node and script). Resolves to the exit code. */
export async function main(argv: string[], env: Record<string, string | undefined> = process.env): Promise<number> {
  const [name, ...rest] = argv;
  if (name === undefined || name === '--help' || name === '-h' || name === 'help') {
    process.stdout.write(`${generalHelp()}\n`);
    return name === undefined ? EXIT_CODES.usage : EXIT_CODES.ok;
  }
  if (name === '--version' || name === '-v') {
    process.stdout.write(`chatlas ${CHATLAS_VERSION}\n`);
    return EXIT_CODES.ok;
  }
  const cmd = COMMANDS.find((c) => c.name === name);
  const controller = new AbortController();
  const stop = () => controller.abort();
  process.once('SIGINT', stop);
  process.once('SIGTERM', stop);
  try {
    if (!cmd) throw new UsageError(`unknown command ${JSON.stringify(name)}`);
    let parsed;
    try {
      parsed = parseArgs({ args: rest, options: optionsFor(cmd), allowPositionals: true, strict: true });
    } catch (error) {
      throw new UsageError((error as Error).message.split('\n')[0]!.replace(/^.*?: /, ''));
    }
    if (parsed.values.help) {
      process.stdout.write(`${commandHelp(cmd)}\n`);
      return EXIT_CODES.ok;
    }
    const flags = parsed.values as Record<string, string | boolean | undefined>;
    // A bad level is a ConfigError (exit 2, value quoted), checked before pino would throw its own.
    const { logLevel } = loadLogConfig({ env, flags });
    const logOutput = new LogDestination(process.stderr);
    const logger = pino({ level: logLevel, base: { app: 'chatlas' } }, logOutput);
    return await cmd.run({
      flags,
      positionals: parsed.positionals,
      env,
      stdout: process.stdout,
      stderr: process.stderr,
      logger,
      logOutput,
      signal: controller.signal,
    });
  } catch (error) {
    return report(error, cmd, env);
  } finally {
    process.off('SIGINT', stop);
    process.off('SIGTERM', stop);
  }
}

/** One line on stderr, and the exit code for the kind of failure. */
function report(error: unknown, cmd: CommandSpec | undefined, env: Record<string, string | undefined>): number {
  const line = (msg: string) => process.stderr.write(`chatlas: ${msg}\n`);
  if (error instanceof UsageError) {
    line(`${error.message} (see \`chatlas ${cmd ? `${cmd.name} ` : ''}--help\`)`);
    return EXIT_CODES.usage;
  }
  if (error instanceof ConfigError) {
    line(error.message);
    return EXIT_CODES.usage;
  }
  if (error instanceof StoreError) {
    line(error.message);
    return EXIT_CODES.store;
  }
  const message = error instanceof Error ? error.message : String(error);
  line(`${message.split('\n')[0]}${env.CHATLAS_DEBUG ? '' : ' (set CHATLAS_DEBUG=1 for details)'}`);
  if (env.CHATLAS_DEBUG && error instanceof Error) process.stderr.write(`${error.stack}\n`);
  return EXIT_CODES.failure;
}

if (import.meta.main) {
  const code = await main(process.argv.slice(2));
  process.exitCode = code;
}
