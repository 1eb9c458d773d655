/**
 * The small element tree our restricted XML parser produces, and the few
 * helpers the XMPP parsers use to walk it. Pure, no I/O.
 *
 * Names follow XML Namespaces 1.0: `ns` is the resolved namespace URI, `local`
 * the local name. Namespace declarations (`xmlns`, `xmlns:p`) are not kept as
 * attributes; `xml:lang` is kept under that name.
 */

/** One element. `children` keeps text and elements in document order. */
export interface XmlElement {
  /** Qualified name as written (`stream:features`). */
  name: string;
  local: string;
  /** Namespace URI, '' when none. */
  ns: string;
  /** Attributes by qualified name (`to`, `xml:lang`), without namespace declarations. */
  attrs: Record<string, string>;
  children: XmlNode[];
}

/** A child: an element or a run of character data. */
export type XmlNode = XmlElement | string;

/** True when the node is an element (not text). */
export const isElement = (node: XmlNode | undefined): node is XmlElement => typeof node === 'object' && node !== null;

/** Child elements, optionally only those with this local name and namespace. */
export function childElements(el: XmlElement | undefined, local?: string, ns?: string): XmlElement[] {
  if (!el) return [];
  const out: XmlElement[] = [];
  for (const c of el.children) {
    if (!isElement(c)) continue;
    if (local !== undefined && c.local !== local) continue;
    if (ns !== undefined && c.ns !== ns) continue;
    out.push(c);
  }
  return out;
}

/** The first child element with this local name (and namespace when given), or undefined. */
export function childElement(el: XmlElement | undefined, local: string, ns?: string): XmlElement | undefined {
  return childElements(el, local, ns)[0];
}

/** Concatenated character data of the element's direct text children. */
export function textOf(el: XmlElement | undefined): string {
  if (!el) return '';
  let s = '';
  for (const c of el.children) if (typeof c === 'string') s += c;
  return s;
}

/** Text of the first child element named `local`, trimmed; '' when absent. */
export function childText(el: XmlElement | undefined, local: string, ns?: string): string {
  return textOf(childElement(el, local, ns)).trim();
}

/** Escape text for an XML attribute value or character data we send. */
export function escapeXml(value: string): string {
  return value.replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&apos;' })[c] ?? c);
}

/**
 * Serialise an element back to XML (for bounded raw records). Namespaces are
 * written as a default `xmlns` wherever an element's namespace differs from its
 * parent's, so the output re-parses to the same tree.
 */
export function serializeElement(el: XmlElement, parentNs = ''): string {
  let s = `<${el.local}`;
  if (el.ns !== parentNs) s += ` xmlns='${escapeXml(el.ns)}'`;
  for (const [k, v] of Object.entries(el.attrs)) s += ` ${k}='${escapeXml(v)}'`;
  if (el.children.length === 0) return `${s}/>`;
  s += '>';
  for (const c of el.children) s += typeof c === 'string' ? escapeXml(c) : serializeElement(c, el.ns);
  return `${s}</${el.local}>`;
}
