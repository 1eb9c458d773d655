/**
 * Contact addresses of a service.
 *
 * Spec: XEP-0157 "Contact Addresses for XMPP Services",
 * https://xmpp.org/extensions/xep-0157.html, version 1.1.1: a disco#info form
 * with FORM_TYPE `http://jabber.org/network/serverinfo` and `*-addresses`
 * fields holding URIs (`xmpp:`, `mailto:`, `https:`).
 */
import { findForm, formValues, type DataForm } from './xep0004-data-forms.ts';

export const FORM_SERVERINFO = 'http://jabber.org/network/serverinfo';
export const CONTACT_KINDS = ['abuse', 'admin', 'feedback', 'sales', 'security', 'status', 'support'] as const;
export type ContactKind = (typeof CONTACT_KINDS)[number];

/** Addresses per kind; kinds without addresses are omitted. */
export type ContactAddresses = Partial<Record<ContactKind, string[]>>;

/** Contact addresses from the forms of a disco#info result. */
export function contactAddresses(forms: readonly DataForm[]): ContactAddresses {
  const form = findForm(forms, FORM_SERVERINFO);
  const out: ContactAddresses = {};
  for (const kind of CONTACT_KINDS) {
    const values = formValues(form, `${kind}-addresses`).map((v) => v.trim()).filter(Boolean).slice(0, 20);
    if (values.length > 0) out[kind] = values;
  }
  return out;
}

/**
 * The domain of a contact URI: `xmpp:abuse@example.org` → `example.org`,
 * `mailto:a@example.org` → `example.org`, `https://example.org/x` → `example.org`.
 * '' when there is none.
 */
export function contactDomain(uri: string): string {
  const m = /^(?:xmpp:|mailto:)(?:[^@/?]*@)?([^/?;#]+)/i.exec(uri.trim()) ?? /^https?:\/\/([^/?#:]+)/i.exec(uri.trim());
  return (m?.[1] ?? '').toLowerCase().replace(/\.$/, '');
}
