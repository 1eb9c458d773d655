/**
 * Data forms, as found in disco#info results (XEP-0128) and registration.
 *
 * Spec: XEP-0004 "Data Forms", https://xmpp.org/extensions/xep-0004.html,
 * version 2.13.1; XEP-0128 "Service Discovery Extensions",
 * https://xmpp.org/extensions/xep-0128.html, version 1.1.1 (forms of type
 * `result` inside disco#info, told apart by their hidden FORM_TYPE field).
 */
import { childElements, textOf, type XmlElement } from './xmpp-element.ts';

export const NS_DATA = 'jabber:x:data';

/** One field: its values in order (list-multi keeps all). */
export interface DataFormField {
  var: string;
  type: string;
  label: string;
  values: string[];
}

/** One form. `formType` is the FORM_TYPE value, '' when absent. */
export interface DataForm {
  type: string;
  formType: string;
  fields: DataFormField[];
}

/** Most fields and values kept per form: a hostile form cannot grow without bound. */
const MAX_FIELDS = 200;
const MAX_VALUES = 100;
const MAX_VALUE_CHARS = 2000;

/** Parse a `<x xmlns='jabber:x:data'/>` element. */
export function parseDataForm(x: XmlElement): DataForm {
  const fields: DataFormField[] = [];
  for (const f of childElements(x, 'field').slice(0, MAX_FIELDS)) {
    fields.push({
      var: f.attrs.var ?? '',
      type: f.attrs.type ?? '',
      label: (f.attrs.label ?? '').slice(0, 200),
      values: childElements(f, 'value').slice(0, MAX_VALUES).map((v) => textOf(v).slice(0, MAX_VALUE_CHARS)),
    });
  }
  const formType = fields.find((f) => f.var === 'FORM_TYPE')?.values[0]?.trim() ?? '';
  return { type: x.attrs.type ?? '', formType, fields };
}

/** All data forms that are direct children of `el`. */
export function dataFormsIn(el: XmlElement | undefined): DataForm[] {
  return childElements(el, 'x', NS_DATA).map(parseDataForm);
}

/** The first form with this FORM_TYPE, or undefined. */
export const findForm = (forms: readonly DataForm[], formType: string): DataForm | undefined => forms.find((f) => f.formType === formType);

/** Values of one field ([] when absent). */
export const formValues = (form: DataForm | undefined, name: string): string[] => form?.fields.find((f) => f.var === name)?.values ?? [];

/** First value of one field, trimmed ('' when absent). */
export const formValue = (form: DataForm | undefined, name: string): string => (formValues(form, name)[0] ?? '').trim();
