/**
 * In-band registration form (read only: we ask, never submit).
 *
 * Spec: XEP-0077 "In-Band Registration", https://xmpp.org/extensions/xep-0077.html,
 * version 2.4: §3.1 (the form: instructions and fields), §4 (data form
 * extensibility), §5 (redirection to a web page with XEP-0066 `jabber:x:oob`),
 * and XEP-0158 "CAPTCHA Forms" 1.0 (FORM_TYPE `urn:xmpp:captcha`).
 *
 * The form answers "what would a sign-up ask for", never "is sign-up open":
 * only submitting proves that, and we do not (PROTOCOLS.md §3.2).
 */
import { childElement, childElements, childText, type XmlElement } from './xmpp-element.ts';
import { dataFormsIn } from './xep0004-data-forms.ts';

export const NS_REGISTER = 'jabber:iq:register';
export const NS_OOB = 'jabber:x:oob';
export const FORM_CAPTCHA = 'urn:xmpp:captcha';

/** What the registration form shows. */
export interface RegisterForm {
  /** `<registered/>`: the asker already has an account (never for us, unauthenticated). */
  registered: boolean;
  instructions: string;
  /** Legacy field element names (`username`, `password`, `email`, …). */
  fields: string[];
  /** Data form field vars, when a data form is used. */
  formFields: string[];
  /** A CAPTCHA form (XEP-0158) is attached. */
  captcha: boolean;
  /** Web registration page from `jabber:x:oob`, '' when none. */
  webUrl: string;
}

const NOT_FIELDS = new Set(['instructions', 'registered', 'x', 'remove']);

/** Parse `<query xmlns='jabber:iq:register'/>` from a get result. */
export function parseRegisterForm(query: XmlElement): RegisterForm {
  const forms = dataFormsIn(query);
  const oob = childElement(query, 'x', NS_OOB);
  return {
    registered: childElement(query, 'registered') !== undefined,
    instructions: childText(query, 'instructions').slice(0, 1000),
    fields: childElements(query)
      .filter((c) => c.ns === NS_REGISTER && !NOT_FIELDS.has(c.local))
      .map((c) => c.local)
      .slice(0, 50),
    formFields: forms.flatMap((f) => f.fields.map((x) => x.var)).filter((v) => v && v !== 'FORM_TYPE').slice(0, 50),
    captcha: forms.some((f) => f.formType === FORM_CAPTCHA),
    webUrl: childText(oob, 'url').slice(0, 500),
  };
}
