/**
 * One version of a Chatlas Matrix signing key (table `matrix_signing_keys`,
 * migration 0010). A key is written when created and again when a rotation
 * expires it; the newest `updated_at` per (server name, key id) wins.
 */

/** A key version as the code sees it. */
export interface MatrixSigningKeyRow {
  /** The Matrix server name the key signs as. */
  serverName: string;
  /** `ed25519:a_XXXXXXXX`. */
  keyId: string;
  /** SECRET: the 32-byte ed25519 seed, unpadded base64. Never logged, never exported. */
  seed: string;
  /** Public key, unpadded base64, as `verify_keys` publishes it. */
  publicKey: string;
  createdAt: Date;
  /** When a rotation retired the key (`old_verify_keys` `expired_ts`); null while it is current. */
  expiredAt: Date | null;
  /** Version of this row. */
  updatedAt: Date;
}

/** The columns the queries select, in table names. */
export const MATRIX_SIGNING_KEY_COLUMNS = `server_name, key_id, seed, public_key,
  toUnixTimestamp64Milli(created_at) AS created_ms, toUnixTimestamp64Milli(expired_at) AS expired_ms,
  toUnixTimestamp64Milli(updated_at) AS updated_ms`;

/** A row as JSONEachRow returns {@link MATRIX_SIGNING_KEY_COLUMNS} (Int64 arrives as a string). */
export interface MatrixSigningKeyRecord {
  server_name: string;
  key_id: string;
  seed: string;
  public_key: string;
  created_ms: string | number;
  expired_ms: string | number | null;
  updated_ms: string | number;
}

/** Row → value. */
export function fromRecord(r: MatrixSigningKeyRecord): MatrixSigningKeyRow {
  return {
    serverName: r.server_name,
    keyId: r.key_id,
    seed: r.seed,
    publicKey: r.public_key,
    createdAt: new Date(Number(r.created_ms)),
    expiredAt: r.expired_ms === null ? null : new Date(Number(r.expired_ms)),
    updatedAt: new Date(Number(r.updated_ms)),
  };
}

/** Value → row for insert (DateTime64 columns take epoch ms). */
export function toRow(r: MatrixSigningKeyRow) {
  return {
    server_name: r.serverName,
    key_id: r.keyId,
    seed: r.seed,
    public_key: r.publicKey,
    created_at: r.createdAt.getTime(),
    expired_at: r.expiredAt === null ? null : r.expiredAt.getTime(),
    updated_at: r.updatedAt.getTime(),
  };
}
