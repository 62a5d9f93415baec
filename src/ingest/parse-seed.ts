import path from 'node:path';
import type { ParsedSeed, SeedCaption, SeedFile } from '../model/seed.js';
import { FeedmirrorError } from '../model/errors.js';
import { decodeSeedText } from './seed-text.js';
import { findSeedDate } from './seed-date.js';

/**
 * "Press TV’s website can also be accessed at the following alternate addresses:"
 * The possessive names the publisher; the hosts follow, one per line.
 */
const FOOTER = /^(.{1,80}?)(?:['’]s|['’])\s+(?:web\s?site|site|web\s+page)\s+(?:can|may)\s+also\s+be\s+(?:accessed|reached|visited|found|read)\b.*$/i;

/** A credit in parentheses at the end of a paragraph makes it a photo caption: "(Photo by AFP)". */
const CREDIT =
  /\s*\(\s*(?:(?:file\s+)?(?:photo(?:graph)?s?|images?|pictures?|pic|graphic|illustration)\s*(?:by|via|from|courtesy(?:\s+of)?|credit)?\s*[:/|-]?\s*([^()]{1,80}?)|([^()]{1,60}?)\s+(?:file\s+)?photo)\s*\)\s*$/i;

const HOST = /^(?:https?:\/\/)?((?:[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?\.)+[a-z][a-z0-9-]{1,62})(?::\d{1,5})?\/?$/i;

/** Page furniture copied along with the article: share buttons, app and TV promos, navigation. */
const CHROME_LINES: RegExp[] = [
  /^(?:share|tweet|print|email|e-mail)(?:\s+(?:this|the))?(?:\s+(?:article|story|page|post))?:?$/i,
  /^(?:follow us|like us|subscribe|download|get)\b.{0,60}\b(?:app|twitter|facebook|telegram|instagram|youtube|channel|newsletter)s?\b.{0,20}$/i,
  /\b(?:roku|apple\s?tv|android\s?tv|app\s?store|google\s?play|fire\s?tv|smart\s?tv)\b/i,
  /^(?:related|read more|more on this|advertisement|you may also like)(?:\s+(?:articles?|stories|news))?:?$/i,
];
const MAX_CHROME_LINE = 80; // characters: chrome is short; a long line is text, whatever it contains

export function parseSeed(file: SeedFile): ParsedSeed {
  const text = decodeSeedText(file.bytes);
  const blocks = splitParagraphs(text);
  const first = blocks.shift()!;
  const [headline, ...rest] = first.split('\n').map(cleanLine).filter(Boolean);
  if (!headline) throw new FeedmirrorError('FM_SEED_NO_HEADLINE', 'has no headline on its first line');
  if (rest.length > 0) blocks.unshift(rest.join('\n'));
  const seed = classifyBlocks(blocks);
  const allText = [headline, ...seed.paragraphs, ...seed.captions.map((c) => c.text)].join('\n');
  return {
    stem: path.basename(file.name, path.extname(file.name)),
    headline,
    ...seed,
    date: findSeedDate(allText, file.mtime),
  };
}

type Classified = Pick<ParsedSeed, 'paragraphs' | 'captions' | 'publisher' | 'droppedChrome'>;

function classifyBlocks(blocks: string[]): Classified {
  const out: Classified = { paragraphs: [], captions: [], publisher: null, droppedChrome: [] };
  for (const block of blocks) {
    const lines = block.split('\n').map(cleanLine).filter(Boolean);
    const footer = lines.length === 1 ? FOOTER.exec(lines[0]!) : null;
    if (footer) {
      out.publisher = { name: footer[1]!.trim(), hosts: out.publisher?.hosts ?? [] };
    } else if (out.publisher) {
      classifyFooterLines(lines, out);
    } else if (lines.every(isChrome)) {
      out.droppedChrome.push(...lines);
    } else {
      classifyBodyBlock(lines.join(' '), out);
    }
  }
  return out;
}

/** After the footer: hosts belong to the publisher, chrome is dropped, and any other text stays in the body. */
function classifyFooterLines(lines: string[], out: Classified): void {
  const publisher = out.publisher!;
  for (const line of lines) {
    const host = HOST.exec(line)?.[1]?.toLowerCase();
    if (host) {
      if (!publisher.hosts.includes(host)) publisher.hosts.push(host);
    } else if (isChrome(line)) out.droppedChrome.push(line);
    else out.paragraphs.push(line);
  }
}

function classifyBodyBlock(paragraph: string, out: Classified): void {
  const credit = CREDIT.exec(paragraph);
  const captionText = credit ? paragraph.slice(0, credit.index).trim() : '';
  if (credit && captionText !== '') {
    const caption: SeedCaption = { text: captionText, credit: (credit[1] ?? credit[2] ?? '').trim(), creditText: credit[0].trim(), position: out.paragraphs.length };
    out.captions.push(caption);
  } else {
    out.paragraphs.push(paragraph);
  }
}

function isChrome(line: string): boolean {
  return line.length <= MAX_CHROME_LINE && CHROME_LINES.some((pattern) => pattern.test(line));
}

function splitParagraphs(text: string): string[] {
  return text
    .split(/\n[ \t\u00a0\u200b]*\n/)
    .map((block) => block.trim())
    .filter((block) => block !== '');
}

/** Collapses runs of spaces (including the no-break spaces pasted from web pages) and trims. */
function cleanLine(line: string): string {
  return line.replace(/[ \t\u00a0\u200b\f\v]+/g, ' ').trim();
}
