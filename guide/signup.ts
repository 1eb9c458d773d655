/**
 * How someone can sign up on a server, as the guide shows and filters it: a
 * class (anyone now, with an invitation or token, nobody, not known) and the
 * way (in-band, a web page, single sign-on, …) read from the measured
 * registration mode (crawler/types.ts REGISTRATION_MODES) and the protocol.
 */
import type { Protocol, RegistrationMode } from '../crawler/types.ts';

/** Who can sign up. */
export const SIGNUP_CLASSES = ['open', 'invite', 'closed', 'unknown'] as const;
export type SignupClass = (typeof SIGNUP_CLASSES)[number];

/** The ways, as filter values. */
export const SIGNUP_WAYS = ['in-band', 'captcha', 'email', 'sso', 'web', 'token', 'invite'] as const;
export type SignupWay = (typeof SIGNUP_WAYS)[number];

/** Sign-up as the guide shows it. */
export interface Signup {
  class: SignupClass;
  /** null when nobody can sign up, or it is not known. */
  way: SignupWay | null;
  /** One line for people: how, and what Chatlas saw. */
  label: string;
}

const CLASS: Record<RegistrationMode, SignupClass> = {
  open: 'open', captcha: 'open', email: 'open', sso: 'open', web: 'open',
  // XMPP in-band registration offered by the stream (XEP-0077): open to try; Chatlas never creates an account to prove it.
  advertised: 'open',
  token: 'invite', invite: 'invite',
  closed: 'closed', unknown: 'unknown',
};

const WAY: Record<RegistrationMode, SignupWay | null> = {
  open: 'in-band', advertised: 'in-band', captcha: 'captcha', email: 'email', sso: 'sso', web: 'web',
  token: 'token', invite: 'invite', closed: null, unknown: null,
};

const LABEL: Record<Protocol, Record<RegistrationMode, string>> = {
  matrix: {
    open: 'Open: in the app, no checks',
    captcha: 'Open: in the app, with a CAPTCHA',
    email: 'Open: in the app, with email (or phone) verification',
    sso: 'Single sign-on only (an external account)',
    web: 'Open: on a web page (Matrix Authentication Service)',
    token: 'Registration token needed (from the admins)',
    invite: 'Invitation needed',
    advertised: 'Offered in the app',
    closed: 'Closed',
    unknown: 'Not known',
  },
  xmpp: {
    open: 'Open: in the app (XEP-0077)',
    advertised: 'Offered in the app (XEP-0077 in-band registration)',
    captcha: 'Open: in the app, with a CAPTCHA (XEP-0158)',
    email: 'Open: with email verification',
    sso: 'Single sign-on only',
    web: 'Open: on the provider\'s web page',
    token: 'Token needed',
    invite: 'Invitation only (XEP-0445 pre-authenticated registration, as Snikket does it)',
    closed: 'Closed',
    unknown: 'Not known',
  },
};

/** Sign-up of a server from its measured registration mode. */
export function signupOf(protocol: Protocol, mode: RegistrationMode): Signup {
  return { class: CLASS[mode] ?? 'unknown', way: WAY[mode] ?? null, label: LABEL[protocol][mode] ?? LABEL[protocol].unknown };
}
