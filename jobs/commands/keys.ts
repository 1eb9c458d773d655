/**
 * `chatlas keys show|rotate`: the Matrix federation signing key that Chatlas
 * signs as (issue 11, item 1), kept in the store (federation/identity.ts).
 * The secret seed is never printed: only key ids, public keys and dates.
 */
import type { Db } from '../../db/client.ts';
import { ConfigError } from '../../lib/config-table.ts';
import { loadFederationConfig } from '../../federation/config.ts';
import { readIdentity, rotateKey, type MatrixIdentity } from '../../federation/identity.ts';
import type { CommandSpec } from '../cli/command.ts';
import { UsageError } from '../cli/errors.ts';
import { openStore } from '../cli/open-store.ts';

/** What `keys show --json` prints (Matrix's own field names, so it reads like a key response). */
export interface KeysJson {
  server_name: string;
  /** null when no key was created yet. */
  current: { key_id: string; public_key: string; created_ts: number } | null;
  /** Retired keys, newest first, as published in `old_verify_keys`. */
  old: Array<{ key_id: string; public_key: string; expired_ts: number }>;
}

/** The identity as {@link KeysJson}. */
export function keysJson(serverName: string, identity: MatrixIdentity | null): KeysJson {
  return {
    server_name: serverName,
    current: identity ? { key_id: identity.current.keyId, public_key: identity.current.publicKey, created_ts: identity.currentCreatedAt.getTime() } : null,
    old: (identity?.oldKeys ?? []).map((k) => ({ key_id: k.keyId, public_key: k.publicKey, expired_ts: k.expiredTs })),
  };
}

/** The identity for a person: one field per line, old keys one per line. */
export function formatKeys(keys: KeysJson): string {
  const lines = [`server name:  ${keys.server_name}`];
  if (!keys.current) {
    lines.push('current key:  none yet (`chatlas serve` creates it at its first start, or run `chatlas keys rotate`)');
  } else {
    lines.push(`current key:  ${keys.current.key_id} (created ${new Date(keys.current.created_ts).toISOString()})`);
    lines.push(`public key:   ${keys.current.public_key}`);
  }
  if (keys.old.length === 0) {
    lines.push('old keys:     none');
  } else {
    lines.push('old keys:     (still published as old_verify_keys, so signatures made with them verify)');
    for (const k of keys.old) lines.push(`  ${k.key_id}  ${k.public_key}  expired_ts ${k.expired_ts} (${new Date(k.expired_ts).toISOString()})`);
  }
  return lines.join('\n');
}

/** The configured server name; exit 2 without one (there is no identity to show or rotate). */
function serverNameOf(ctx: Parameters<CommandSpec['run']>[0]): string {
  const { matrixServerName } = loadFederationConfig({ env: ctx.env, flags: ctx.flags });
  if (!matrixServerName) {
    throw new ConfigError('CHATLAS_MATRIX_SERVER_NAME', 'no Matrix server name is configured: set CHATLAS_MATRIX_SERVER_NAME (or --matrix-server-name) to the name Chatlas federates as; its keys are kept in the store under that name');
  }
  return matrixServerName;
}

/** Rotate and describe the change: what `keys rotate` prints before the new state. */
export async function rotateKeys(db: Db, serverName: string, now: Date): Promise<{ before: MatrixIdentity | null; after: MatrixIdentity }> {
  const before = await readIdentity(db, serverName);
  const after = await rotateKey(db, serverName, now);
  return { before, after };
}

export const keysCommand: CommandSpec = {
  name: 'keys',
  summary: 'Show or rotate the Matrix federation signing key (kept in the store)',
  help: `Usage: chatlas keys show [--json]
       chatlas keys rotate

The ed25519 key Chatlas signs its Matrix federation requests with, under the
server name CHATLAS_MATRIX_SERVER_NAME, and publishes at
/_matrix/key/v2/server. It lives in the store, so every process using the
store (serve, crawl, every shard) signs with the same key.

show     prints the server name, the current key id and public key, and the
         retired keys with their expired_ts (the secret is never printed).
rotate   makes a new key current and retires the current one: it stays
         published in old_verify_keys, so what it signed still verifies.
         A running \`chatlas serve\` on a ClickHouse server store switches to the
         new key within a minute. The embedded store is opened by one process
         at a time: stop serve, rotate, start serve again.

Exit 2 when no server name is configured.`,
  options: {
    json: { type: 'boolean', default: false },
  },
  config: ['federation', 'db'],
  async run(ctx) {
    const [action, ...extra] = ctx.positionals;
    if ((action !== 'show' && action !== 'rotate') || extra.length > 0) throw new UsageError('keys takes one of: show, rotate');
    const serverName = serverNameOf(ctx);
    const db = await openStore(ctx, ctx.logger);
    try {
      if (action === 'show') {
        const keys = keysJson(serverName, await readIdentity(db, serverName));
        ctx.stdout.write(ctx.flags.json ? `${JSON.stringify(keys)}\n` : `${formatKeys(keys)}\n`);
        return 0;
      }
      const { before, after } = await rotateKeys(db, serverName, new Date());
      ctx.stdout.write(before
        ? `rotated: ${after.current.keyId} is now current; ${before.current.keyId} is retired and stays published in old_verify_keys\n`
        : `no key yet: created the first key ${after.current.keyId}\n`);
      ctx.stdout.write(`${formatKeys(keysJson(serverName, after))}\n`);
      return 0;
    } finally {
      await db.close();
    }
  },
};
