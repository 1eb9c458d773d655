/**
 * Schemas of request bodies and responses of the API. Query parameters come
 * from site/lib/params.ts (shared with the pages); everything here feeds the
 * OpenAPI document too, so documentation and behaviour cannot drift apart.
 */
import { z } from 'zod';
import { PROBLEMS } from './problem.ts';
import { findingSchema, reportItemSchema } from './health-schemas.ts';

/** RFC 9457 problem details. */
export const problemSchema = z.object({
  type: z.string().describe('Stable URI of the problem type, /api/v1/problems/<code>.'),
  title: z.string(),
  status: z.number().int(),
  detail: z.string(),
  code: z.enum(Object.keys(PROBLEMS) as [keyof typeof PROBLEMS, ...(keyof typeof PROBLEMS)[]]),
  instance: z.string().optional(),
  errors: z.array(z.object({ name: z.string(), reason: z.string(), value: z.string().optional() })).optional(),
}).loose();

/**
 * The form of a domain the API registers: two or more ASCII LDH labels of
 * 1-63 characters, the last one (the top-level label) starting with a letter,
 * optionally ending in a dot. So no URL, address, port, IP literal, numeric
 * top-level label or overlong name gets past the schema (400); an IDN comes in
 * its IDNA form (`xn--…`). Within this form the domain service
 * (registration/registrable-domain.ts, the crawler's own normaliser) refuses
 * only by rule, answered 403 `invalid-domain`: reserved and documentation
 * names (`.test`, `example.org`, …) and `xn--` labels that are not valid IDNA.
 * The register page takes Unicode and pasted URLs and explains them; this is
 * the machine contract.
 */
export const REGISTRATION_DOMAIN_PATTERN = '^(?:[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?\\.)+[A-Za-z](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?\\.?$';

/** `POST /api/v1/registrations`. */
export const registrationRequestSchema = z.object({
  domain: z.string().max(253).regex(new RegExp(REGISTRATION_DOMAIN_PATTERN), 'expected a domain name such as chat.example.org (an IDN in its xn-- form)')
    .describe('The server domain, e.g. chat.example.org, in ASCII (an IDN in its IDNA xn-- form); any letter case, an ending dot allowed.'),
}).strict();

/** `PATCH /api/v1/registrations/{id}`. */
export const registrationChangesSchema = z.object({
  description: z.string().max(500).optional().describe('Shown on the server page, as plain text.'),
  contact: z.string().max(200).optional().describe('How to reach the admin (an address or URL), plain text.'),
  hidden: z.boolean().optional().describe('Hide the server from lists and the directory.'),
  hiddenRooms: z.array(z.string().min(1).max(300)).max(1000).optional().describe('Room ids hidden from the directory.'),
  optOut: z.boolean().optional().describe('Ask for removal: Chatlas stops probing the domain until lifted.'),
}).strict();

/**
 * `POST /api/v1/registrations/{id}/verify`: no body, or an empty JSON object
 * (members are ignored). A JSON body is one way past the cross-site form guard;
 * a same-origin `Origin` header is the other.
 */
export const verifyRequestSchema = z.object({}).describe('Optional; an object whose members are ignored.');

/** Path parameter of a registration. */
export const registrationIdParams = z.object({
  id: z.uuid().describe('Registration id (UUID).'),
});

const instructionsSchema = z.object({
  deadline: z.iso.datetime(),
  dnsTxt: z.object({ name: z.string(), value: z.string() }),
  wellKnown: z.object({ url: z.string(), body: z.string() }),
});

/** The public form of a registration. */
export const registrationSchema = z.object({
  id: z.uuid(),
  domain: z.string(),
  state: z.enum(['pending', 'verified', 'expired', 'removed']),
  method: z.enum(['dns-txt', 'well-known']).nullable(),
  createdAt: z.iso.datetime(),
  expiresAt: z.iso.datetime(),
  verifiedAt: z.iso.datetime().nullable(),
  description: z.string(),
  contact: z.string(),
  hidden: z.boolean(),
  hiddenRooms: z.array(z.string()),
  optOut: z.boolean(),
  instructions: instructionsSchema.nullable().describe('Where to publish the token; null once no longer pending.'),
});

const probeSummarySchema = z.object({
  status: z.string(),
  protocol: z.string().nullable(),
  software: z.string().nullable(),
  version: z.string().nullable(),
  error: z.string(),
  report: z.array(reportItemSchema),
  findings: z.array(findingSchema).describe('The health report of this probe, as the server page shows it.'),
});

/** Answer of `POST /api/v1/registrations`. */
export const registrationCreatedSchema = z.object({
  registration: registrationSchema,
  probe: probeSummarySchema.nullable().describe('The immediate probe; null when the next crawl pass will probe it.'),
});

const evidenceSchema = z.object({ method: z.enum(['dns-txt', 'well-known']), outcome: z.string(), detail: z.string() });

/** Answer of `POST /api/v1/registrations/{id}/verify`. */
export const registrationVerifiedSchema = z.object({
  registration: registrationSchema,
  managementSecret: z.string().describe('Bearer secret for PATCH; shown once, store it now.'),
  evidence: z.array(evidenceSchema),
});
