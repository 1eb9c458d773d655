/**
 * The XMPP Providers provider file.
 *
 * Spec: XMPP Providers "Provider File", version 2,
 * https://providers.xmpp.net/provider-file-generator/ (served at
 * `https://<domain>/.well-known/xmpp-provider-v2.json`). A provider states
 * properties that cannot be probed. `serverTesting` is the provider's consent
 * to automated server tests: `false` means we must not run intrusive tests;
 * absent means the provider said nothing.
 *
 * Every field is optional and checked on its own: one odd field does not void
 * the file. Pure: text in, facts or ProbeError out.
 */
import { z } from 'zod';
import { ProbeError } from '../errors.ts';
import type { ProviderStatements } from '../types.ts';

/** Localised strings: language code → text (e.g. `{ "en": "https://…" }`). */
const localised = z.record(z.string().max(16), z.string().max(2000));

const fields = {
  website: localised,
  alternativeJids: z.array(z.string().max(1023)).max(50),
  busFactor: z.number().int().min(-1).max(1000),
  organization: z.string().max(64),
  passwordReset: localised,
  serverTesting: z.boolean(),
  inBandRegistration: z.boolean(),
  registrationWebPage: localised,
  maximumHttpFileUploadFileSize: z.number().int().min(-1),
  maximumHttpFileUploadTotalSize: z.number().int().min(-1),
  maximumHttpFileUploadStorageTime: z.number().int().min(-1),
  maximumMessageArchiveManagementStorageTime: z.number().int().min(-1),
  professionalHosting: z.boolean(),
  freeOfCharge: z.boolean(),
  legalNotice: localised,
  serverLocations: z.array(z.string().max(8)).max(50),
  since: z.string().max(32),
} as const;

type Fields = typeof fields;
/** The recognised, valid fields of a provider file. */
export type ProviderFile = { [K in keyof Fields]?: z.infer<Fields[K]> };

/** The parse: valid fields, and the names of fields present but invalid. */
export interface ProviderFileResult {
  file: ProviderFile;
  invalid: string[];
  /** Consent to server testing: the flag when stated, else null. */
  serverTesting: boolean | null;
}

/** Parse provider-file text. */
export function parseProviderFile(text: string): ProviderFileResult | ProbeError {
  let data: unknown;
  try {
    data = JSON.parse(text);
  } catch (error) {
    return new ProbeError('json.invalid', `provider file is not JSON: ${(error as Error).message}`);
  }
  if (typeof data !== 'object' || data === null || Array.isArray(data)) return new ProbeError('json.schema', 'provider file is not a JSON object');
  const file: Record<string, unknown> = {};
  const invalid: string[] = [];
  for (const [key, schema] of Object.entries(fields)) {
    if (!(key in data)) continue;
    const r = (schema as z.ZodType).safeParse((data as Record<string, unknown>)[key]);
    if (r.success) file[key] = r.data;
    else invalid.push(key);
  }
  const pf = file as ProviderFile;
  return { file: pf, invalid, serverTesting: pf.serverTesting ?? null };
}

/** The text of a localised field: English when given, else the first language listed. */
function pick(value: Record<string, string> | undefined): string | null {
  if (!value) return null;
  const text = value['en'] ?? Object.values(value)[0];
  return text ? text : null;
}

/** A URL field: only absolute http(s) URLs are kept (a `javascript:` link would reach a page as a link). */
function webUrl(value: Record<string, string> | undefined): string | null {
  const text = pick(value);
  if (!text) return null;
  try {
    const url = new URL(text);
    // The stored statements cap a URL at 2000 characters (crawler/offer.ts); normalising may lengthen it.
    return (url.protocol === 'https:' || url.protocol === 'http:') && url.href.length <= 2000 ? url.href : null;
  } catch {
    return null;
  }
}

/** One megabyte as the provider file counts it (MB, not MiB: the generator says so). */
const MB = 1_000_000;

/**
 * The statements of a parsed provider file that matter to someone choosing a
 * server (crawler/offer.ts). Conventions of the file, as the provider file
 * generator of XMPP Providers documents them
 * (providers.xmpp.net/provider-file-generator, static/js/provider-file-generator.js):
 * - localised fields (`{ "en": "https://…" }`): English, else the first language;
 *   URL fields keep only absolute http(s) URLs;
 * - `busFactor` -1 is "n/a": null;
 * - sizes are in MB (10^6 bytes), 0 "no limit", -1 "less than 1 MB".
 *   `maximumHttpFileUploadFileSize` is not a v2 property (the per-file limit
 *   comes from XEP-0363 over XMPP) but XMPP Providers' own list uses it in MB, so a
 *   file that states it is read the same way: MB → bytes, 0 → -1 (no limit),
 *   -1 and absurd values → null (no usable bound);
 * - `since` is kept only as a `YYYY-MM-DD` date.
 * The v2 format has no privacy-policy property (checked against the generator's
 * property list, 2026-04): there is nothing to read for it.
 */
export function providerStatements(file: ProviderFile): ProviderStatements {
  const size = file.maximumHttpFileUploadFileSize;
  let maxUploadBytes: number | null = null;
  if (size === 0) maxUploadBytes = -1;
  else if (size !== undefined && size > 0 && Number.isSafeInteger(size * MB)) maxUploadBytes = size * MB;
  const since = file.since !== undefined && /^\d{4}-\d{2}-\d{2}$/.test(file.since) ? file.since : null;
  return {
    legalNotice: webUrl(file.legalNotice),
    website: webUrl(file.website),
    organization: file.organization ? file.organization : null,
    freeOfCharge: file.freeOfCharge ?? null,
    professionalHosting: file.professionalHosting ?? null,
    since,
    serverLocations: (file.serverLocations ?? []).map((l) => l.toLowerCase()),
    busFactor: file.busFactor === undefined || file.busFactor < 0 ? null : file.busFactor,
    inBandRegistration: file.inBandRegistration ?? null,
    registrationWebPage: webUrl(file.registrationWebPage),
    passwordReset: webUrl(file.passwordReset),
    maxUploadBytes,
  };
}
