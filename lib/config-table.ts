/**
 * One configuration table per layer: each field names its environment
 * variable, its CLI flag, its schema and its default, so the README table,
 * `--help` and validation all come from the same place.
 *
 * Precedence is CLI flag > environment > default. Values are parsed once,
 * at start, and a bad value is quoted in the error (p-queue style), so a
 * person can see exactly what was wrong.
 */
import type { z } from 'zod';

/** One row of a configuration table. */
export interface ConfigField<T> {
  /** Environment variable that sets this field, e.g. `CHATLAS_DATA`. */
  env?: string;
  /** Long CLI flag (without `--`) that sets this field, e.g. `data`. */
  flag?: string;
  /** Validates and converts the raw string. */
  schema: z.ZodType<T>;
  /** Value when neither the flag nor the environment sets it. */
  default: T;
  /** One sentence for `--help` and the README. */
  doc: string;
  /** Hide the value in logs and errors (passwords). @default false */
  secret?: boolean;
}

/** A table maps field names to their rows. */
export type ConfigTable = Record<string, ConfigField<unknown>>;

/** The resolved value type of a table. */
export type ConfigOf<T extends ConfigTable> = {
  [K in keyof T]: T[K] extends ConfigField<infer V> ? V : never;
};

/** Raised for a configuration value that does not validate. */
export class ConfigError extends Error {
  override name = 'ConfigError';
  /** The variable or flag that carried the bad value. */
  readonly source: string;
  constructor(source: string, message: string) {
    super(message);
    this.source = source;
  }
}

/** Where raw values come from. Only `jobs/cli.ts` and the server entry pass `process.env`. */
export interface ConfigSources {
  env?: Record<string, string | undefined>;
  flags?: Record<string, string | boolean | undefined>;
}

/**
 * Resolve every field of `table` from the sources.
 * @throws {ConfigError} on the first value that does not validate, quoting it.
 */
export function resolveConfig<T extends ConfigTable>(table: T, sources: ConfigSources = {}): ConfigOf<T> {
  const out: Record<string, unknown> = {};
  for (const [key, field] of Object.entries(table)) {
    const fromFlag = field.flag === undefined ? undefined : sources.flags?.[field.flag];
    const fromEnv = field.env === undefined ? undefined : sources.env?.[field.env];
    // An empty environment variable counts as unset, as shells commonly export `X=`.
    const raw = fromFlag ?? (fromEnv === '' ? undefined : fromEnv);
    if (raw === undefined) {
      out[key] = field.default;
      continue;
    }
    const source = fromFlag !== undefined ? `--${field.flag}` : String(field.env);
    const parsed = field.schema.safeParse(raw);
    if (!parsed.success) {
      const shown = field.secret ? '(hidden)' : JSON.stringify(raw);
      const why = parsed.error.issues[0]?.message ?? 'invalid value';
      throw new ConfigError(source, `${source}=${shown} is not valid: ${why}`);
    }
    out[key] = parsed.data;
  }
  return out as ConfigOf<T>;
}

/** Rows for a Markdown or `--help` table: name, env, flag, default, doc. */
export function describeConfig(table: ConfigTable): Array<{ key: string; env: string; flag: string; default: string; doc: string }> {
  return Object.entries(table).map(([key, f]) => ({
    key,
    env: f.env ?? '',
    flag: f.flag ? `--${f.flag}` : '',
    default: f.secret ? '' : formatDefault(f.default),
    doc: f.doc,
  }));
}

function formatDefault(value: unknown): string {
  if (value === undefined || value === null || value === '') return '';
  if (Array.isArray(value)) return value.join(',');
  return String(value);
}
