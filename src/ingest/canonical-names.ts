/**
 * Element names by namespace, not by the prefix a feed happens to write. xml2js keys elements by
 * their qualified name as written, so `<rss:item>` (RSS 1.0 without a default namespace),
 * `<r:channel>` (RSS 2.0 in the Userland namespace) or a Dublin Core element under another prefix
 * would be invisible to every field read by name. This pass over the xml2js tree resolves each
 * element's prefix against the xmlns declarations in scope (its own and its ancestors') and renames
 * the elements of the namespaces we read to one spelling: the format's own elements unprefixed, each
 * module's under its usual prefix (Python feedparser's table). Elements of any other namespace, and
 * prefixes declared nowhere (`dc:creator` without xmlns:dc, common in the wild), keep their name.
 */
import type { RawRecord } from './read-xml-tree.js';

/** Namespace URI (lower case) → prefix; '' for the feed format's own elements. */
const PREFIXES = new Map<string, string>([
  ['http://purl.org/rss/1.0/', ''],
  ['http://my.netscape.com/rdf/simple/0.9/', ''],
  ['http://blogs.law.harvard.edu/tech/rss', ''],
  ['http://purl.org/rss/1.0/modules/rss091#', ''],
  ['http://purl.org/dc/elements/1.1/', 'dc'],
  ['http://purl.org/dc/terms/', 'dcterms'],
  ['http://purl.org/rss/1.0/modules/content/', 'content'],
  ['http://search.yahoo.com/mrss/', 'media'],
  ['http://search.yahoo.com/mrss', 'media'],
  ['http://www.itunes.com/dtds/podcast-1.0.dtd', 'itunes'],
  ['http://www.w3.org/1999/02/22-rdf-syntax-ns#', 'rdf'],
]);
/** Atom's elements are unprefixed in an Atom document and atom: inside RSS. */
const ATOM_NAMESPACES = new Set(['http://www.w3.org/2005/atom', 'http://purl.org/atom/ns#']);
/** Userland published RSS 2.0 under several namespace URIs (…/rss, …/rss2). */
const USERLAND_RSS = 'backend.userland.com/rss';

/** Prefix ('' for the default namespace) → namespace URI in lower case. */
export type Scope = ReadonlyMap<string, string>;
type Node = Record<string, unknown>;

/** Renames, in place, the elements of `tree` (xml2js's output: the root element by name) to their canonical names. */
export function canonicalizeNames(tree: RawRecord): RawRecord {
  const [rootKey] = Object.keys(tree);
  if (rootKey === undefined) return tree;
  const isAtom = ATOM_NAMESPACES.has(namespaceOf(rootKey, scopeOf(tree[rootKey], new Map())) ?? '');
  renameRoot(tree, isAtom);
  return tree;
}

/** Iterative, not recursive: a document may nest elements thousands deep. */
function renameDescendants(root: Node, rootScope: Scope, isAtom: boolean): void {
  const pending: [Node, Scope][] = [[root, rootScope]];
  for (let next = pending.pop(); next; next = pending.pop()) {
    const [node, scope] = next;
    for (const [child, childScope] of renameChildren(node, scope, isAtom)) pending.push([child, childScope]);
  }
}

/** Renames the element children of one node; returns those that have children of their own to visit. */
function renameChildren(node: Node, parentScope: Scope, isAtom: boolean): [Node, Scope][] {
  const renamed = new Map<string, unknown>();
  const visit: [Node, Scope][] = [];
  let changed = false;
  for (const [key, value] of Object.entries(node)) {
    if (key === '$' || key === '_') {
      renamed.set(key, value);
      continue;
    }
    for (const child of Array.isArray(value) ? value : [value]) {
      const scope = scopeOf(child, parentScope);
      const name = canonicalName(key, scope, isAtom);
      changed ||= name !== key;
      if (typeof child === 'object' && child !== null) visit.push([child as Node, scope]);
      const siblings = renamed.get(name) as unknown[] | undefined;
      if (siblings) siblings.push(child);
      else renamed.set(name, [child]);
    }
  }
  if (changed) {
    // Two spellings of one name (rss:item and item) become one list, in the order their names first appeared.
    for (const key of Object.keys(node)) delete node[key];
    for (const [key, value] of renamed) node[key] = value;
  }
  return visit;
}

/** The tree's root: xml2js holds it as an object, not a list, under its name (explicitRoot). */
function renameRoot(tree: RawRecord, isAtom: boolean): void {
  const [rootKey] = Object.keys(tree);
  const root = tree[rootKey!];
  const scope = scopeOf(root, new Map());
  if (typeof root === 'object' && root !== null) renameDescendants(root as Node, scope, isAtom);
  const name = canonicalName(rootKey!, scope, isAtom);
  if (name === rootKey) return;
  delete tree[rootKey!];
  tree[name] = root;
}

/** The prefix bindings in effect on an element: its parent's, with its own xmlns attributes over them. */
function scopeOf(node: unknown, parent: Scope): Scope {
  return typeof node === 'object' && node !== null ? scopeWith((node as Node).$, parent) : parent;
}

/** `parent` with the xmlns declarations among `attributes` (an element's, by qualified name) over it. */
export function scopeWith(attributes: unknown, parent: Scope): Scope {
  if (typeof attributes !== 'object' || attributes === null) return parent;
  let scope: Map<string, string> | null = null;
  for (const [name, value] of Object.entries(attributes as Record<string, unknown>)) {
    if (typeof value !== 'string' || (name !== 'xmlns' && !name.startsWith('xmlns:'))) continue;
    scope ??= new Map(parent);
    scope.set(name === 'xmlns' ? '' : name.slice('xmlns:'.length), value.trim().toLowerCase());
  }
  return scope ?? parent;
}

function namespaceOf(qualifiedName: string, scope: Scope): string | undefined {
  const colon = qualifiedName.indexOf(':');
  return scope.get(colon === -1 ? '' : qualifiedName.slice(0, colon));
}

/** The name the readers know an element by: by namespace for the namespaces we read, else as written. */
export function canonicalName(qualifiedName: string, scope: Scope, isAtom: boolean): string {
  const namespace = namespaceOf(qualifiedName, scope);
  if (!namespace) return qualifiedName;
  const colon = qualifiedName.indexOf(':');
  // In RSS, Atom as the default namespace is most likely a mistyped xmlns:atom: unprefixed names stay RSS's.
  if (ATOM_NAMESPACES.has(namespace) && !isAtom && colon === -1) return qualifiedName;
  const local = qualifiedName.slice(colon + 1);
  const prefix = ATOM_NAMESPACES.has(namespace) ? (isAtom ? '' : 'atom') : namespace.includes(USERLAND_RSS) ? '' : PREFIXES.get(namespace);
  if (prefix === undefined) return qualifiedName;
  return prefix === '' ? local : `${prefix}:${local}`;
}
