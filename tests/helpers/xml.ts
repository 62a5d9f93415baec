import { xml2js, type Element } from 'xml-js';

/** A parsed XML element: enough structure to ask "which links sit inside this item". */
export interface XmlNode {
  name: string;
  attributes: Record<string, string>;
  children: XmlNode[];
  text: string;
}

/** Parses XML into a small tree (names as written, with their prefixes); throws on malformed input. */
export function parseXml(text: string): XmlNode {
  const document = xml2js(text, { compact: false, captureSpacesBetweenElements: false }) as Element;
  const root = document.elements?.find((e) => e.type === 'element');
  if (!root) throw new Error('no root element');
  return toNode(root);
}

function toNode(element: Element): XmlNode {
  const parts = element.elements ?? [];
  return {
    name: element.name ?? '',
    attributes: Object.fromEntries(Object.entries(element.attributes ?? {}).map(([k, v]) => [k, String(v)])),
    children: parts.filter((e) => e.type === 'element').map(toNode),
    text: parts
      .filter((e) => e.type === 'text' || e.type === 'cdata')
      .map((e) => String(e.type === 'text' ? e.text : e.cdata))
      .join(''),
  };
}

export function childrenNamed(node: XmlNode, name: string): XmlNode[] {
  return node.children.filter((child) => child.name === name);
}

export function childNamed(node: XmlNode, name: string): XmlNode {
  const found = node.children.find((child) => child.name === name);
  if (!found) throw new Error(`<${node.name}> has no <${name}>`);
  return found;
}

/** The href of each direct `<name rel="…">` child with that rel, in document order. */
export function linkHrefs(node: XmlNode, name: string, rel: string): string[] {
  return childrenNamed(node, name)
    .filter((link) => link.attributes.rel === rel)
    .map((link) => link.attributes.href ?? '');
}
