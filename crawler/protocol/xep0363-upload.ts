/**
 * HTTP file upload service and its size limit.
 *
 * Spec: XEP-0363 "HTTP File Upload", https://xmpp.org/extensions/xep-0363.html,
 * version 1.1.0, §3 "Discovering Support": identity `store/file`, feature
 * `urn:xmpp:http:upload:0`, and a form with FORM_TYPE `urn:xmpp:http:upload:0`
 * whose `max-file-size` field is the limit in bytes.
 */
import type { DiscoInfo } from './xep0030-disco.ts';
import { findForm, formValue } from './xep0004-data-forms.ts';

export const NS_UPLOAD = 'urn:xmpp:http:upload:0';

/** The upload service facts, or null when the entity is not an upload service. */
export function uploadService(info: DiscoInfo): { maxFileSize: number | null } | null {
  if (!info.features.includes(NS_UPLOAD)) return null;
  const max = formValue(findForm(info.forms, NS_UPLOAD), 'max-file-size');
  return { maxFileSize: /^\d{1,15}$/.test(max) ? Number(max) : null };
}
