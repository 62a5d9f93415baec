import sax from 'sax';
import { FeedmirrorError } from '../model/errors.js';

/** What was cut out of a document before it was parsed into a tree. */
export interface XmlCut {
  /** The document without the cut elements; the same string when nothing was cut. */
  xml: string;
  /** <item>s (RSS, RDF) or <entry>s (Atom) after the first `maxItems`. */
  overLimit: number;
  /** Other elements, with their descendants, past the budget (MAX_XML_NODES, MAX_XML_ATTRIBUTES). */
  elementsCut: number;
}

/**
 * Elements and attributes kept in one document at most. xml2js (under rss-parser) builds an
 * object per element, about 0.4 KB each: a 10 MB body of 1.4 million `<item/>` cost 600 MB. A
 * real feed of 500 items with full xhtml content has tens of thousands.
 */
export const MAX_XML_NODES = 200_000;
/** Attributes of one element at most: an element with more is cut whole. */
export const MAX_XML_ATTRIBUTES = 1_000;
/**
 * Elements open at once at most while cutting: sax keeps an object per open element, so a body
 * of a million unclosed `<b>` cost a gigabyte before any parser could say it was not
 * well-formed. Real feeds nest a few dozen deep.
 */
export const MAX_XML_DEPTH = 1_000;

/**
 * Cuts the items after the first `maxItems` (feeds list newest first), and elements past the
 * budget, out of the text before any tree is built. One streaming sax pass finds where each such
 * element starts and ends; the text between is kept byte for byte, so what is read is exactly
 * what the feed says. Only documents that may exceed a limit need the pass: counting `<`, `=`
 * and the item tags rules out the rest cheaply. Throws FM_PARSE for nesting past MAX_XML_DEPTH.
 */
export function capXmlItems(xml: string, root: 'rss' | 'atom' | 'rdf', maxItems: number): XmlCut {
  const itemName = root === 'atom' ? 'entry' : 'item';
  // `:item` also counts prefixed items (<rss:item>), and end tags: an overestimate only costs the pass.
  const items = countOf(xml, `<${itemName}`) + countOf(xml, `:${itemName}`);
  const mayExceed = countOf(xml, '<') + countOf(xml, '=') > MAX_XML_NODES || items > maxItems;
  if (!mayExceed) return { xml, overLimit: 0, elementsCut: 0 };
  const cuts = findCuts(xml, itemName, maxItems);
  return { xml: cuts.ranges.length === 0 ? xml : withoutRanges(xml, cuts.ranges), overLimit: cuts.overLimit, elementsCut: cuts.elementsCut };
}

interface Cuts {
  /** start, end, start, end…: flat, as there can be a great many. */
  ranges: number[];
  overLimit: number;
  elementsCut: number;
}

function findCuts(xml: string, itemName: string, maxItems: number): Cuts {
  const parser = sax.parser(true, { position: true });
  const cuts: Cuts = { ranges: [], overLimit: 0, elementsCut: 0 };
  const path: string[] = [];
  let items = 0;
  let nodes = 0;
  // While an element is being cut: its depth, where its start tag began, and whether it is an item.
  const current: { cut: { depth: number; start: number; isItem: boolean } | null } = { cut: null };
  parser.onopentag = (tag) => {
    const { cut } = current;
    // Local names: items and channels may carry a prefix (<rss:item>, <r:channel>).
    path.push(localName(tag.name));
    if (path.length > MAX_XML_DEPTH) throw new FeedmirrorError('FM_PARSE', `elements nested more than ${MAX_XML_DEPTH} deep`);
    if (cut) {
      if (!cut.isItem) cuts.elementsCut++;
      return;
    }
    const isItem = path[path.length - 1] === itemName && (path.length === 2 || (path.length === 3 && path[1] === 'channel'));
    if (isItem) items++;
    const attributes = Object.keys(tag.attributes).length;
    if ((isItem && items > maxItems) || nodes + 1 + attributes > MAX_XML_NODES || attributes > MAX_XML_ATTRIBUTES) {
      current.cut = { depth: path.length, start: parser.startTagPosition - 1, isItem };
      if (isItem && items > maxItems) cuts.overLimit++;
      else cuts.elementsCut++;
      return;
    }
    nodes += 1 + attributes;
  };
  parser.onclosetag = () => {
    if (current.cut?.depth === path.length) {
      addRange(xml, cuts.ranges, current.cut.start, parser.position);
      current.cut = null;
    }
    path.pop();
  };
  // Only boundaries are wanted here: whether the document is well-formed is for the parser to say.
  parser.onerror = () => void parser.resume();
  parser.write(xml).close();
  // An element left open at the end: the document is not well-formed, and cutting to its end keeps it so.
  if (current.cut) cuts.ranges.push(current.cut.start, xml.length);
  return cuts;
}

/** Cuts separated only by whitespace become one, so a run of a million cut items is one range. */
function addRange(xml: string, ranges: number[], start: number, end: number): void {
  const last = ranges.length - 1;
  if (last > 0 && xml.slice(ranges[last]!, start).trim() === '') ranges[last] = end;
  else ranges.push(start, end);
}

function withoutRanges(xml: string, ranges: number[]): string {
  const kept: string[] = [];
  let from = 0;
  for (let i = 0; i < ranges.length; i += 2) {
    kept.push(xml.slice(from, ranges[i]));
    from = ranges[i + 1]!;
  }
  kept.push(xml.slice(from));
  return kept.join('');
}

function localName(name: string): string {
  return name.slice(name.indexOf(':') + 1);
}

function countOf(text: string, needle: string): number {
  let count = 0;
  for (let at = text.indexOf(needle); at !== -1; at = text.indexOf(needle, at + needle.length)) count++;
  return count;
}
