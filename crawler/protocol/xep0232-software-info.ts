/**
 * Software information in disco#info.
 *
 * Spec: XEP-0232 "Software Information", https://xmpp.org/extensions/xep-0232.html,
 * version 0.3: a form with FORM_TYPE `urn:xmpp:dataforms:softwareinfo` and
 * fields `software`, `software_version`, `os`, `os_version`.
 */
import { findForm, formValue, type DataForm } from './xep0004-data-forms.ts';

export const FORM_SOFTWAREINFO = 'urn:xmpp:dataforms:softwareinfo';

export interface SoftwareInfo {
  software: string;
  softwareVersion: string;
  os: string;
  osVersion: string;
}

/** The software info form, or null when the result has none. */
export function softwareInfo(forms: readonly DataForm[]): SoftwareInfo | null {
  const form = findForm(forms, FORM_SOFTWAREINFO);
  if (!form) return null;
  const v = (n: string): string => formValue(form, n).slice(0, 200);
  return { software: v('software'), softwareVersion: v('software_version'), os: v('os'), osVersion: v('os_version') };
}
