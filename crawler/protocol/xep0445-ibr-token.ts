/**
 * Invitation-only sign-up, and the XMPP registration mode as a whole.
 *
 * Spec: XEP-0445 "Pre-Authenticated In-Band Registration" 0.2.0,
 * https://xmpp.org/extensions/xep-0445.html §3 (Discovery): a server that
 * accepts invitation tokens (XEP-0401 "Easy User Onboarding") for in-band
 * registration advertises `<register xmlns='urn:xmpp:ibr-token:0'/>` among
 * its stream features.
 *
 * As deployed: Prosody's `mod_invites_register` (plugins/mod_invites_register.lua,
 * identical in 0.12.3 and trunk; Snikket is built on it) adds that feature and
 * the older `<register xmlns='urn:xmpp:invite'/>` to the features of every
 * unauthenticated c2s stream once it is encrypted. Its option
 * `registration_invite_only` defaults to true: then it loads `mod_register_ibr`
 * (so `<register xmlns='http://jabber.org/features/iq-register'/>` is offered
 * too) and refuses every registration that did not present a valid token.
 * Only an admin who sets `registration_invite_only = false` and also
 * `allow_registration = true` gets open registration beside invitations, and
 * the features and the registration form look the same on the wire; Chatlas,
 * which never submits a form, reports such a server `invite` as well: it never
 * claims sign-up is open without proof (PROTOCOLS.md §3.2).
 *
 * Pure: parsed stream features and form in, a mode and the evidence out.
 */
import type { RegistrationMode } from '../types.ts';
import type { StreamFeatures } from './rfc6120-features.ts';
import type { RegisterForm } from './xep0077-register.ts';

/** XEP-0445 stream feature namespace. */
export const NS_IBR_TOKEN = 'urn:xmpp:ibr-token:0';
/** The feature Prosody advertised before XEP-0445 had a namespace (still sent beside it). */
export const NS_LEGACY_INVITE = 'urn:xmpp:invite';

/** The invitation features in the order they are looked for: the XEP's own first. */
const INVITATION_FEATURES = [`{${NS_IBR_TOKEN}}register`, `{${NS_LEGACY_INVITE}}register`] as const;

/**
 * The invitation feature a `<stream:features/>` offers (`{urn:xmpp:ibr-token:0}register`,
 * else the legacy `{urn:xmpp:invite}register`), or null when it offers none.
 */
export function invitationFeature(features: Pick<StreamFeatures, 'all'>): string | null {
  return INVITATION_FEATURES.find((f) => features.all.includes(f)) ?? null;
}

/** What {@link decideXmppRegistration} reads: the c2s features after TLS and the register form. */
export interface XmppRegistrationInput {
  /** Features of the encrypted c2s stream; null when TLS was never reached. */
  postTls: StreamFeatures | null;
  /** The XEP-0077 form this probe was shown (null: not asked, or refused). */
  form: RegisterForm | null;
  /** The register form was asked for in this probe (answered or not). */
  formAsked: boolean;
  /** What the last form showed (`web`, `captcha`), kept while the form is not asked again. */
  last: RegistrationMode | null;
}

/** The mode and what showed it: a stream feature (`{ns}local`), `form`, `last-form`, or '' for none. */
export interface XmppRegistration {
  mode: RegistrationMode;
  by: string;
}

/**
 * The registration mode as observed, never `open` (only a submitted form would prove it):
 * 1. this probe's form points at a web page → `web`, carries a CAPTCHA → `captcha`;
 * 2. an invitation feature (XEP-0445, or Prosody's legacy one) → `invite`;
 * 3. the form not asked this time, registration still advertised, the last form said `web`
 *    or `captcha` → that (the form is asked at most weekly, crawler/policy/cadence.ts);
 * 4. `<register/>` (XEP-0077) advertised → `advertised`;
 * 5. features after TLS without it → `closed`; no features after TLS → `unknown`.
 */
export function decideXmppRegistration(input: XmppRegistrationInput): XmppRegistration {
  const { postTls, form, formAsked, last } = input;
  if (form?.webUrl) return { mode: 'web', by: 'form' };
  if (form?.captcha) return { mode: 'captcha', by: 'form' };
  if (!postTls) return { mode: 'unknown', by: '' };
  const invitation = invitationFeature(postTls);
  if (invitation) return { mode: 'invite', by: invitation };
  if (postTls.register && !formAsked && (last === 'web' || last === 'captcha')) return { mode: last, by: 'last-form' };
  if (postTls.register) return { mode: 'advertised', by: '{http://jabber.org/features/iq-register}register' };
  return { mode: 'closed', by: '' };
}
