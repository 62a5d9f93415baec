/**
 * Every file a publish wrote goes before the external judges: xmllint for every XML file (feeds,
 * archive pages, OPML, the stylesheet, index.html as polyglot XHTML), jing with the RFC 4287
 * schema for Atom, the W3C Feed Validator (no error) for RSS and Atom, Python feedparser (bozo
 * false, the right feed and item titles), the JSON Feed
 * 1.1 schema, and libxml2's HTML parser for the pages. A file of a kind nobody checks fails.
 */
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { expect } from 'vitest';
import { feedparserFiles, jingAtomFiles, validateJsonFeed, xmllint, type FeedparserResult } from '../../helpers/validators.js';
import { findExecutable, missingTool, runProcess } from '../../helpers/tools.js';
import { w3cErrorLines, w3cValidate } from '../../helpers/w3c-validator.js';
import { listFiles } from '../../helpers/workspace.js';
import { parseXml } from '../../helpers/xml.js';
import { readFeedDoc } from './feed-docs.js';

/**
 * HTML5 elements that libxml2 before 2.14 (an HTML 4 parser) reports as "Tag … invalid". They are
 * valid HTML; every other parser message is a real problem.
 */
const HTML5_ELEMENTS = new Set(['article', 'aside', 'figcaption', 'figure', 'footer', 'header', 'main', 'mark', 'nav', 'section', 'time']);

export interface HtmlCheck {
  code: number | null;
  /** Parser messages other than unknown HTML5 tags. */
  errors: string[];
}

/** `xmllint --html --noout`: the page parses as HTML with no error but libxml2's HTML 4 tag list. */
export async function checkHtml(file: string): Promise<HtmlCheck> {
  const tool = (await findExecutable('xmllint')) ?? missingTool('xmllint (Debian package libxml2-utils)');
  const { code, stderr } = await runProcess(tool, ['--html', '--noout', file]);
  const messages = [...stderr.matchAll(/^.*?:\d+: HTML parser (?:error|warning) : (.*)$/gm)].map((m) => m[1]!.trim());
  const unexplained = stderr.split('\n').filter((line) => line.trim() !== '' && !/^.*?:\d+: HTML parser/.test(line));
  // Lines that are not messages are libxml2's context (the source line and a caret under it).
  const isContext = unexplained.length <= messages.length * 2;
  const errors = messages.filter((m) => !HTML5_ELEMENTS.has(/^Tag (\w+) invalid$/.exec(m)?.[1] ?? ''));
  return { code, errors: isContext ? errors : [...errors, ...unexplained] };
}

/** Validator processes at once: enough to overlap start-up, few enough for a small CI machine. */
const CHECKS_AT_ONCE = 4;

async function runAtMost(limit: number, jobs: (() => Promise<void>)[]): Promise<void> {
  const queue = [...jobs];
  const worker = async () => {
    for (let job = queue.shift(); job; job = queue.shift()) await job();
  };
  await Promise.all(Array.from({ length: Math.min(limit, queue.length) }, worker));
}

/** The output id a file belongs to: "news/archive/2/rss.xml" → "news"; site copies under mirrors/<host>/ too. */
function outputIdOf(relative: string): string {
  const parts = relative.split('/');
  return parts[0] === 'mirrors' ? parts[2]! : parts[0]!;
}

export interface TreeReport {
  /** Every file checked, relative to the root. */
  checked: string[];
}

/**
 * Checks every file under `root`. `titles` maps each output id to its feed title (archive pages
 * and variants carry their output's title).
 */
export async function expectValidTree(root: string, titles: Record<string, string>): Promise<TreeReport> {
  const files = await listFiles(root);
  expect(files.length, `no files under ${root}`).toBeGreaterThan(0);
  const atomFiles: string[] = [];
  const feedFiles: string[] = [];
  const jobs: (() => Promise<void>)[] = [];
  for (const relative of files) {
    const file = path.join(root, relative);
    const name = path.basename(relative);
    if (name === 'rss.xml' || name === 'atom.xml') {
      if (name === 'atom.xml') atomFiles.push(file);
      feedFiles.push(file);
      jobs.push(async () => checkXmlFeed(file, relative, name === 'rss.xml' ? 'rss' : 'atom', titles[outputIdOf(relative)], (await parsedFeeds).get(file)!));
    } else if (name === 'feed.json') jobs.push(() => checkJsonFeed(file, relative, titles[outputIdOf(relative)]));
    else if (name === 'sources.opml') jobs.push(() => checkOpml(file, relative));
    else if (name === 'feed.xsl') jobs.push(() => checkXml(file, relative));
    else if (name === 'index.html') jobs.push(() => checkXml(file, relative).then(() => checkPage(file, relative)));
    else if (/(^|\/)articles\/[^/]+\.html$/.test(relative)) jobs.push(() => checkPage(file, relative));
    else if (name === 'mirrors.json') jobs.push(() => readFile(file, 'utf8').then((text) => void JSON.parse(text)));
    // the CSS fallback for browsers without XSLT: plain rules, no markup to check beyond that
    else if (name === 'feed.css') jobs.push(() => readFile(file, 'utf8').then((text) => expect(text).not.toMatch(/<[a-z/!?]/i)));
    else throw new Error(`${relative}: a generated file of a kind expectValidTree does not know how to check`);
  }
  // one Python process reads every feed (its start-up costs more than a parse), alongside the other checks
  const parsedFeeds = feedparserFiles(feedFiles);
  parsedFeeds.catch(() => undefined); // its failure is reported by the check that awaits it
  await runAtMost(CHECKS_AT_ONCE, jobs);
  for (const [file, errors] of await jingAtomFiles(atomFiles)) expect(errors, `jing ${path.relative(root, file)}`).toEqual([]);
  expect(w3cErrorLines(await w3cValidate(feedFiles), root), 'W3C Feed Validator').toEqual([]);
  return { checked: files };
}

async function checkXml(file: string, relative: string): Promise<void> {
  expect(await xmllint(file), `xmllint ${relative}`).toMatchObject({ ok: true, code: 0, stderr: '' });
}

async function checkPage(file: string, relative: string): Promise<void> {
  expect(await checkHtml(file), `xmllint --html ${relative}`).toEqual({ code: 0, errors: [] });
}

async function checkOpml(file: string, relative: string): Promise<void> {
  await checkXml(file, relative);
  const root = parseXml(await readFile(file, 'utf8'));
  expect({ name: root.name, version: root.attributes.version }, relative).toEqual({ name: 'opml', version: '2.0' });
}

async function checkXmlFeed(file: string, relative: string, format: 'rss' | 'atom', title: string | undefined, parsed: FeedparserResult): Promise<void> {
  await checkXml(file, relative);
  expect(title, `${relative}: no expected title given for its output`).toBeDefined();
  expect(parsed.bozo, `feedparser ${relative}: ${parsed.bozo_exception}`).toBe(false);
  expect(parsed.version, relative).toBe(format === 'rss' ? 'rss20' : 'atom10');
  expect(parsed.feed.title, `feedparser feed title of ${relative}`).toBe(title);
  const ours = await readFeedDoc(file, format);
  // Atom titles are type="html": feedparser hands back the markup, so compare the text it means.
  expect(parsed.entries.map((e) => unescapeHtml(e.title ?? '')), `feedparser item titles of ${relative}`).toEqual(ours.items.map((i) => unescapeHtml(i.title)));
  expect(parsed.entries.map((e) => e.id), `feedparser item ids of ${relative}`).toEqual(ours.items.map((i) => i.id));
}

async function checkJsonFeed(file: string, relative: string, title: string | undefined): Promise<void> {
  expect((await validateJsonFeed(file)).messages, `JSON Feed 1.1 schema: ${relative}`).toEqual([]);
  const json = JSON.parse(await readFile(file, 'utf8')) as { version: string; title: string };
  expect({ version: json.version, title: json.title }, relative).toEqual({ version: 'https://jsonfeed.org/version/1.1', title });
}

export function unescapeHtml(html: string): string {
  const named: Record<string, string> = { amp: '&', lt: '<', gt: '>', quot: '"', apos: "'" };
  return html.replace(/&(#x[0-9a-f]+|#\d+|[a-z]+);/gi, (whole, ref: string) => {
    if (/^#x/i.test(ref)) return String.fromCodePoint(parseInt(ref.slice(2), 16));
    if (ref.startsWith('#')) return String.fromCodePoint(Number(ref.slice(1)));
    return named[ref.toLowerCase()] ?? whole;
  });
}
