/**
 * Chatlas's Matrix federation identity (issue 11, item 1): the ed25519 key
 * it signs as, kept in the store so that every process using the store
 * (serve, crawl, every shard of a cluster) signs with the same key, across
 * restarts, and old keys stay published after a rotation.
 *
 * Spec: Matrix Specification v1.16, Server-Server API "Retrieving server keys"
 * (`verify_keys` sign requests; `old_verify_keys` with `expired_ts` only
 * check old signatures): https://spec.matrix.org/v1.16/server-server-api/#retrieving-server-keys
 *
 * How concurrent processes converge on ONE key. ClickHouse has no unique
 * constraint and no compare-and-set, and "insert, then pick the oldest key"
 * is not enough: a process whose insert lands late, with an older
 * created_at, would pick its own key after another process had already
 * returned the other one. What ClickHouse does arbitrate is insert
 * deduplication: of all inserts into a table that carry the same
 * `insert_deduplication_token`, exactly one is stored (on a Replicated table
 * the block id is created in Keeper atomically with the part; on one server
 * the table's deduplication log is checked under the table lock). So every
 * change of the key set is one insert whose token names the state it
 * starts from:
 * - first start: token `…:first-after:<newest key id, or none>`: processes
 *   that all found no current key make the same claim, one wins;
 * - rotation: token `…:rotate-from:<current key id>`, one insert holding the
 *   expired version of the old key and the new key: two rotations from one
 *   key store one new key, and the old key is never expired without its successor.
 * After its insert (stored or dropped as a duplicate) each process reads the
 * table again and adopts what is there. Reads can lag behind the winner's
 * insert on another replica, so the read is retried for a bounded time.
 * If several unexpired keys ever exist (a hand-made row, a claim outside
 * the deduplication window), the oldest by (created_at, key id) is current,
 * the same choice in every process, and the next rotation expires them all.
 */
import { ProbeError } from '../crawler/errors.ts';
import { parseServerName } from '../crawler/protocol/matrix-server-name.ts';
import type { OldVerifyKey } from '../crawler/protocol/matrix-server-keys.ts';
import { encodeUnpaddedBase64 } from '../crawler/protocol/matrix-base64.ts';
import { generateSigningKey, newKeyId, signingKeyFromSeed, type SigningKey } from '../crawler/protocol/matrix-signing.ts';
import type { Db } from '../db/client.ts';
import { insertMatrixSigningKeys } from '../db/queries/matrix-keys/insert-matrix-signing-keys.ts';
import { listMatrixSigningKeys } from '../db/queries/matrix-keys/list-matrix-signing-keys.ts';
import type { MatrixSigningKeyRow } from '../db/queries/matrix-keys/matrix-signing-key-row.ts';
import { StoreError } from '../db/store-error.ts';

/** The identity a process signs with. */
export interface MatrixIdentity {
  /** The Matrix server name Chatlas federates as. */
  serverName: string;
  /** The current key: signs X-Matrix requests and the key response (`verify_keys`). */
  current: SigningKey;
  /** When the current key was created. */
  currentCreatedAt: Date;
  /** Keys retired by rotations, newest first, for `old_verify_keys`. */
  oldKeys: OldVerifyKey[];
}

/** Options of {@link loadOrCreateIdentity} and {@link rotateKey}. */
export interface IdentityOptions {
  /**
   * How many times to read the keys again after a claim before giving up
   * (a cluster replica may show the winning insert a moment later).
   * @default 20
   */
  readAttempts?: number;
  /** Pause between those reads, in ms. @default 250 */
  readDelayMs?: number;
  /** The pause itself; tests replace it. @default setTimeout-based */
  sleep?: (ms: number) => Promise<void>;
}

/** Prefix of every deduplication token of the table, so none can match another table's. */
const TOKEN = 'chatlas:matrix-signing-keys';

/**
 * The identity for `serverName`: the current key from the store, or a new
 * key stored on first start. Any number of processes may call this at once
 * on a fresh store: all of them get the same key (see the file header).
 * @throws {TypeError} when `serverName` is not a Matrix server name.
 * @throws {StoreError} `store.corrupt` when a stored key does not decode, or
 * a claimed key never becomes readable; store errors of the client pass through.
 */
export async function loadOrCreateIdentity(db: Db, serverName: string, now: Date, options: IdentityOptions = {}): Promise<MatrixIdentity> {
  checkServerName(serverName);
  const rows = await listMatrixSigningKeys(db, serverName);
  const found = identityOf(serverName, rows);
  if (found) return found;
  const candidate = newKey(rows);
  const newest = rows.at(-1)?.keyId ?? 'none';
  await insertMatrixSigningKeys(db, [keyRow(serverName, candidate, now)], `${TOKEN}:${serverName}:first-after:${newest}`);
  return settle(db, serverName, options, () => true, `the first signing key of ${serverName}`);
}

/**
 * The stored identity of `serverName`, or null when no key is current yet
 * (nothing is created: `chatlas keys show` reads, serve and rotate create).
 * @throws as {@link loadOrCreateIdentity}.
 */
export async function readIdentity(db: Db, serverName: string): Promise<MatrixIdentity | null> {
  checkServerName(serverName);
  return identityOf(serverName, await listMatrixSigningKeys(db, serverName));
}

/**
 * Make a new key current and retire every unexpired key (its `expired_ts`
 * becomes `now`), in one insert. Two rotations started from the same current
 * key at once store one new key, which both return. On a store without a
 * key this creates the first one, as {@link loadOrCreateIdentity} does.
 * Processes that hold the identity in memory keep signing with the old key
 * until they load it again; signatures made before `now` still verify
 * through `old_verify_keys`.
 * @throws as {@link loadOrCreateIdentity}.
 */
export async function rotateKey(db: Db, serverName: string, now: Date, options: IdentityOptions = {}): Promise<MatrixIdentity> {
  checkServerName(serverName);
  const rows = await listMatrixSigningKeys(db, serverName);
  const from = identityOf(serverName, rows);
  if (!from) return loadOrCreateIdentity(db, serverName, now, options);
  const candidate = newKey(rows);
  const retired = rows.filter((r) => r.expiredAt === null).map((r) => ({
    ...r,
    expiredAt: now,
    // Strictly newer than the version it replaces, even when clocks disagree, so it wins the read.
    updatedAt: new Date(Math.max(now.getTime(), r.updatedAt.getTime() + 1)),
  }));
  await insertMatrixSigningKeys(db, [...retired, keyRow(serverName, candidate, now)], `${TOKEN}:${serverName}:rotate-from:${from.current.keyId}`);
  return settle(db, serverName, options, (id) => id.current.keyId !== from.current.keyId, `the key replacing ${from.current.keyId} of ${serverName}`);
}

/** Read until `done` holds for the stored identity, within the attempts allowed. */
async function settle(db: Db, serverName: string, options: IdentityOptions, done: (identity: MatrixIdentity) => boolean, what: string): Promise<MatrixIdentity> {
  const attempts = options.readAttempts ?? 20;
  const delayMs = options.readDelayMs ?? 250;
  const sleep = options.sleep ?? ((ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms)));
  for (let attempt = 1; ; attempt++) {
    const identity = identityOf(serverName, await listMatrixSigningKeys(db, serverName));
    if (identity && done(identity)) return identity;
    if (attempt >= attempts) break;
    await sleep(delayMs);
  }
  throw new StoreError('store.corrupt', `${what} was written but is not readable after ${attempts} reads; on a cluster check replication of matrix_signing_keys, and if keys were deleted by hand, restore them (a deleted key's claim stays in the deduplication window)`);
}

/** The current key (oldest unexpired) and the retired ones, or null when no key is current. */
function identityOf(serverName: string, rows: readonly MatrixSigningKeyRow[]): MatrixIdentity | null {
  // rows come oldest first, by (created_at, key_id): the first unexpired one is the same for every reader.
  const currentRow = rows.find((r) => r.expiredAt === null);
  if (!currentRow) return null;
  const oldKeys = rows
    .filter((r): r is MatrixSigningKeyRow & { expiredAt: Date } => r.expiredAt !== null)
    .map((r) => ({ keyId: r.keyId, publicKey: r.publicKey, expiredTs: r.expiredAt.getTime() }))
    .sort((a, b) => b.expiredTs - a.expiredTs || (a.keyId < b.keyId ? -1 : 1));
  return { serverName, current: decode(currentRow), currentCreatedAt: currentRow.createdAt, oldKeys };
}

/** The stored key as a signing key; its stored public key must match the one its seed gives. */
function decode(row: MatrixSigningKeyRow): SigningKey {
  let key: SigningKey;
  try {
    key = signingKeyFromSeed(row.keyId, row.seed);
  } catch (error) {
    throw new StoreError('store.corrupt', `stored Matrix signing key ${row.keyId} of ${row.serverName} does not decode: ${(error as Error).message}`, { cause: error });
  }
  if (key.publicKey !== row.publicKey) {
    throw new StoreError('store.corrupt', `stored Matrix signing key ${row.keyId} of ${row.serverName}: its public key does not match its seed`);
  }
  return key;
}

/** A fresh key whose id no stored key has used (ids are never reused: remote servers remember them). */
function newKey(rows: readonly MatrixSigningKeyRow[]): SigningKey {
  const used = new Set(rows.map((r) => r.keyId));
  let id = newKeyId();
  while (used.has(id)) id = newKeyId();
  return generateSigningKey(id);
}

function keyRow(serverName: string, key: SigningKey, now: Date): MatrixSigningKeyRow {
  return { serverName, keyId: key.keyId, seed: encodeUnpaddedBase64(key.seed), publicKey: key.publicKey, createdAt: now, expiredAt: null, updatedAt: now };
}

function checkServerName(serverName: string): void {
  if (parseServerName(serverName) instanceof ProbeError) {
    throw new TypeError(`Matrix server name ${JSON.stringify(serverName)} is not a valid server name (hostname[:port])`);
  }
}
