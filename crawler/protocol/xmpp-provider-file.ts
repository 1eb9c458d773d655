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
