/**
 * Server configuration for `chatlas serve`: where to listen and whom to trust.
 * (The log level applies to every command: jobs/cli/log-config.ts.)
 */
import { z } from 'zod';
import { resolveConfig, type ConfigOf, type ConfigSources } from '../lib/config-table.ts';
import { parseTrustedProxies } from './serve/client-address.ts';

const port = z.coerce.number().int().min(0).max(65535);

/** Comma-separated IPs and CIDRs, each checked by the resolver's own parser. */
const proxyList = z.string().transform((s, ctx) => {
  const entries = s.split(',').map((x) => x.trim()).filter(Boolean);
  try {
    parseTrustedProxies(entries);
  } catch (error) {
    ctx.addIssue({ code: 'custom', message: (error as Error).message });
    return z.NEVER;
  }
  return entries;
});

/** The server field table. */
export const serverConfigTable = {
  host: {
    env: 'HOST',
    flag: 'host',
    schema: z.string().min(1),
    default: '127.0.0.1',
    doc: 'Address `serve` listens on (0.0.0.0 or :: to accept outside connections).',
  },
  port: {
    env: 'PORT',
    flag: 'port',
    schema: port,
    default: 8080,
    doc: 'Port `serve` listens on.',
  },
  schedule: {
    env: 'CHATLAS_SCHEDULE',
    flag: 'schedule',
    schema: z.enum(['on', 'off']),
    default: 'on' as 'on' | 'off',
    doc: 'Run the crawl scheduler inside `serve` (off: serve the site and API only).',
  },
  /**
   * Reverse proxies whose `X-Forwarded-For` is believed for the per-client
   * rate limits (see jobs/serve/client-address.ts). Empty trusts nobody.
   * @default []
   */
  trustedProxies: {
    env: 'CHATLAS_TRUSTED_PROXIES',
    flag: 'trusted-proxies',
    schema: proxyList,
    default: [] as string[],
    doc: 'Reverse proxies (IPs/CIDRs, comma-separated) whose X-Forwarded-For names the client for the API rate limits; empty = trust nobody, the peer is the client.',
  },
};

export type ServerConfig = ConfigOf<typeof serverConfigTable>;

/** @throws {ConfigError} quoting the bad value. */
export function loadServerConfig(sources: ConfigSources): ServerConfig {
  return resolveConfig(serverConfigTable, sources);
}

const list = z.string().transform((s) => s.split(',').map((x) => x.trim().toLowerCase()).filter(Boolean));

/** The crawl-pass field table: where a crawl starts and how fast it may go overall. */
export const passConfigTable = {
  shippedSeeds: {
    env: 'CHATLAS_SHIPPED_SEEDS',
    flag: 'shipped-seeds',
    schema: z.enum(['on', 'off']),
    default: 'on' as 'on' | 'off',
    doc: 'Start from the seed lists shipped in seeds/ (off: only CHATLAS_SEEDS, discoveries and registrations).',
  },
  allowTlds: {
    env: 'CHATLAS_ALLOW_TLDS',
    flag: 'allow-tlds',
    schema: list,
    default: [] as string[],
    doc: 'Reserved TLDs to crawl anyway, comma-separated (e.g. `test` in a lab on loopback).',
  },
  probesPerSecond: {
    env: 'CHATLAS_PROBES_PER_SECOND',
    flag: 'probes-per-second',
    schema: z.coerce.number().min(0).max(10_000),
    default: 0,
    doc: 'Global rate limit: server probes started per second by one worker (0: only the concurrency limits apply).',
  },
};

export type PassConfig = ConfigOf<typeof passConfigTable>;

/** @throws {ConfigError} quoting the bad value. */
export function loadPassConfig(sources: ConfigSources): PassConfig {
  return resolveConfig(passConfigTable, sources);
}
