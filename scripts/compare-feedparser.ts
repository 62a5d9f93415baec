/**
 * Differential check against Python's feedparser: parses every feed in tests/fixtures/corpus/ with
 * feedmirror (parseFeedBody → normalizeItem) and with feedparser 6 (Debian's python3-feedparser,
 * run through /usr/bin/python3), then compares each entry's title, link, id and published date.
 *
 *   npm run compare:feedparser                 # table + every disagreement
 *   npm run compare:feedparser -- --json       # the results as JSON on stdout (no table)
 *   npm run compare:feedparser -- --json=FILE  # table on stdout, JSON written to FILE
 *
 * feedparser 6 cannot read JSON Feed, so JSON files are compared against their own JSON
 * (id, url, title, date_published) and reported in a separate table.
 * Exit code: 0 whatever the agreement; 2 when the tooling itself fails (no python3, no feedparser).
 * The rules behind each comparison are in docs/feedparser-comparison.md.
 */
import { spawnSync } from 'node:child_process';
import { readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, join, relative, resolve, sep } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseFeedBody } from '../src/ingest/parse-feed.js';
import { DEFAULT_ITEM_LIMITS, normalizeItem, type FeedContext } from '../src/normalize/normalize-item.js';

const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const CORPUS = join(ROOT, 'tests', 'fixtures', 'corpus');
const PYTHON = '/usr/bin/python3';
const BASE_URL = 'https://corpus.example/';
const NOW = new Date('2000-01-01T00:00:00.000Z');
const FIELDS = ['title', 'link', 'id', 'published'] as const;
type Field = (typeof FIELDS)[number];

/** What one parser says about one entry, reduced to the four compared fields (null: absent). */
interface EntryView {
  title: string | null;
  link: string | null;
  id: string | null;
  published: string | null;
  /** Where the value came from, when that matters for reading a disagreement. */
  notes: string[];
}

interface FileSide {
  entries: EntryView[];
  error: string | null;
}

interface Disagreement {
  file: string;
  entry: number;
  field: Field | 'entry';
  ours: string | null;
  theirs: string | null;
  note: string;
}

interface Tally {
  /** same + equivalent */
  agree: number;
  /** Identical values (after the field rules: whitespace, tags in feedparser HTML titles, dates to the second). */
  same: number;
  /** Two spellings of one value, by rule. */
  equivalent: Partial<Record<Equivalence, number>>;
  total: number;
  /** Agreements where both sides had no value at all. */
  bothEmpty: number;
}

type Group = 'feedparser' | 'json';

interface FileResult {
  file: string;
  group: Group;
  ours: { entries: number; error: string | null };
  theirs: { entries: number; error: string | null; version?: string; bozo?: string | null };
}

// ---------------------------------------------------------------------------------------------
// feedparser side

/** Reads [{path, url}] on stdin, prints {path: {version, bozo, error, entries}} as JSON. */
const PY_SCRIPT = String.raw`
import calendar, datetime, html, json, re, sys, warnings
warnings.simplefilter('ignore')
import feedparser

TAG = re.compile(r'<[^>]*>')

def plain(value, detail):
    if value is None:
        return None
    kind = (detail or {}).get('type') or 'text/plain'
    if kind in ('text/html', 'application/xhtml+xml'):
        value = html.unescape(TAG.sub(' ', value))
    return value

def iso(parsed):
    if not parsed:
        return None
    try:
        return datetime.datetime.fromtimestamp(calendar.timegm(parsed), datetime.timezone.utc).strftime('%Y-%m-%dT%H:%M:%SZ')
    except (OverflowError, ValueError, OSError):
        return None

out = {}
for job in json.load(sys.stdin):
    with open(job['path'], 'rb') as fh:
        data = fh.read()
    try:
        d = feedparser.parse(data, response_headers={'content-location': job['url']})
    except Exception as exc:  # feedparser is meant never to raise; report it if it does
        out[job['path']] = {'version': '', 'bozo': None, 'error': repr(exc), 'entries': []}
        continue
    entries = []
    for e in d.entries:
        published = e.get('published_parsed')
        source = 'published'
        if not published:
            published = e.get('updated_parsed')
            source = 'updated'
        entries.append({
            'title': plain(e.get('title'), e.get('title_detail')),
            'title_type': (e.get('title_detail') or {}).get('type'),
            'link': e.get('link'),
            'id': e.get('id'),
            'published': iso(published),
            'published_source': source if published else None,
            'published_raw': e.get('published') or e.get('updated'),
        })
    bozo = repr(d.get('bozo_exception')) if d.get('bozo') else None
    out[job['path']] = {'version': d.get('version') or '', 'bozo': bozo, 'error': None, 'entries': entries}
json.dump(out, sys.stdout)
`;

interface PyEntry {
  title: string | null;
  title_type: string | null;
  link: string | null;
  id: string | null;
  published: string | null;
  published_source: 'published' | 'updated' | null;
  published_raw: string | null;
}

interface PyFile {
  version: string;
  bozo: string | null;
  error: string | null;
  entries: PyEntry[];
}

function runFeedparser(jobs: { path: string; url: string }[]): Record<string, PyFile> {
  if (jobs.length === 0) return {};
  const result = spawnSync(PYTHON, ['-c', PY_SCRIPT], { input: JSON.stringify(jobs), encoding: 'utf8', maxBuffer: 512 * 1024 * 1024 });
  if (result.error) throw new ToolingError(`cannot run ${PYTHON}: ${result.error.message}`);
  if (result.status !== 0) throw new ToolingError(`${PYTHON} with feedparser failed (exit ${result.status}):\n${result.stderr.trim()}`);
  return JSON.parse(result.stdout) as Record<string, PyFile>;
}

/** How often a field rule had to step in on feedparser's side (printed, and in --json). */
const ADJUSTMENTS = { idFromLink: 0, htmlTitleStripped: 0, dateFromUpdated: 0 };

function theirView(entry: PyEntry): EntryView {
  const notes: string[] = [];
  let id = blankToNull(entry.id);
  // feedparser 6 leaves entry.id unset when the item has no guid/id; consumers (and feedmirror) then use the link.
  if (id === null && blankToNull(entry.link) !== null) {
    id = entry.link;
    notes.push('theirs: no id, link used as id');
    ADJUSTMENTS.idFromLink++;
  }
  if (entry.title !== null && entry.title_type && entry.title_type !== 'text/plain') {
    notes.push(`theirs: title is ${entry.title_type}, tags stripped`);
    ADJUSTMENTS.htmlTitleStripped++;
  }
  if (entry.published_source === 'updated') {
    notes.push('theirs: date from updated_parsed');
    ADJUSTMENTS.dateFromUpdated++;
  }
  if (entry.published_raw && !entry.published) notes.push(`theirs: unparsed date "${entry.published_raw}"`);
  return { title: collapse(entry.title), link: blankToNull(entry.link), id, published: entry.published, notes };
}

// ---------------------------------------------------------------------------------------------
// JSON Feed reference side (feedparser 6 has no JSON Feed support)

function jsonReference(bytes: Buffer): FileSide {
  let doc: unknown;
  try {
    doc = JSON.parse(bytes.toString('utf8').replace(/^\uFEFF/, ''));
  } catch (error) {
    return { entries: [], error: `invalid JSON: ${(error as Error).message}` };
  }
  const items = isRecord(doc) && Array.isArray(doc.items) ? doc.items : [];
  const entries = items.filter(isRecord).map((item): EntryView => {
    const text = (v: unknown) => (typeof v === 'string' ? v : typeof v === 'number' ? String(v) : null);
    const date = text(item.date_published) ?? text(item.date_modified);
    const ms = date ? Date.parse(date) : Number.NaN;
    return {
      title: collapse(text(item.title)),
      link: blankToNull(text(item.url) ?? text(item.external_url)),
      id: blankToNull(text(item.id)) ?? blankToNull(text(item.url)),
      published: Number.isNaN(ms) ? null : toSecond(new Date(ms).toISOString()),
      notes: item.date_published === undefined && item.date_modified !== undefined ? ['theirs: date from date_modified'] : [],
    };
  });
  return { entries, error: null };
}

// ---------------------------------------------------------------------------------------------
// feedmirror side

/** Items normalizeItem threw on (a feedmirror bug each; they also count as disagreements). */
const OUR_FAILURES: string[] = [];

async function ourSide(bytes: Buffer, url: string): Promise<FileSide> {
  let outcome;
  try {
    outcome = await parseFeedBody(bytes, null, url);
  } catch (error) {
    return { entries: [], error: `${(error as Error).name}: ${(error as Error).message}` };
  }
  if (outcome.kind !== 'feed') return { entries: [], error: `not a feed: an HTML page advertising ${outcome.feedUrls.join(', ')}` };
  const { feed } = outcome;
  // No mirrors and no host aliases: only the four compared fields matter here.
  const context: FeedContext = {
    sourceId: 'corpus', sourceTitle: null, responseUrl: url, mirrors: { publisher: [], directory: null }, hostAliases: {}, now: NOW, limits: DEFAULT_ITEM_LIMITS,
  };
  const entries = feed.items.map((item): EntryView => {
    try {
      const article = normalizeItem(feed, item, context);
      const notes: string[] = [];
      // A missing title is filled in (summary, link, "Untitled") for readers; the feed itself declared none.
      const title = item.title ? collapse(article.title) : null;
      if (!item.title) notes.push('ours: no title in the feed (article.title is a stand-in)');
      // A guid we made up (no guid, no link) is not the feed's id.
      const id = article.guid.startsWith('urn:feedmirror:item:') ? null : article.guid;
      const fromFeed = article.dateSource === 'feed' || article.dateSource === 'feed-updated';
      if (article.dateSource === 'feed-updated') notes.push('ours: date from updated');
      if (!fromFeed && (item.published || item.updated)) notes.push(`ours: unparsed date "${item.published ?? item.updated}"`);
      return { title, link: article.url, id, published: fromFeed ? toSecond(article.published) : null, notes };
    } catch (error) {
      OUR_FAILURES.push(`${url}: ${(error as Error).message}`);
      return { title: null, link: null, id: null, published: null, notes: [`ours: normalizeItem threw ${(error as Error).message}`] };
    }
  });
  return { entries, error: null };
}

// ---------------------------------------------------------------------------------------------
// comparison

/**
 * How two values compare: 'same' (identical after the field rules), the name of an equivalence
 * rule when they are two spellings of one value, or null when they differ. Every rule is named in
 * the output and explained in docs/feedparser-comparison.md.
 */
type Match = 'same' | Equivalence | null;
type Equivalence = 'url-spelling' | 'feedparser-resolved-id';
const EQUIVALENCES: Record<Equivalence, string> = {
  'url-spelling': 'one URL written two ways (WHATWG serialization: trailing slash on a bare host, host case, %-encoding)',
  'feedparser-resolved-id': 'feedparser resolved a non-URL guid/id against the document URL; the id in the feed is ours',
};

function match(field: Field, ours: string | null, theirs: string | null): Match {
  if (ours === theirs) return 'same';
  if (ours === null || theirs === null || field === 'title' || field === 'published') return null;
  if (sameUrl(ours, theirs)) return 'url-spelling';
  // feedparser runs every guid it takes for a permalink (RSS guid without isPermaLink="false", and every
  // Atom id) through urljoin(base, id): "t3_abc" becomes "https://host/path/t3_abc".
  if (field === 'id' && !HAS_SCHEME.test(ours) && /^https?:\/\//i.test(theirs) && resolvesTo(ours, theirs)) return 'feedparser-resolved-id';
  return null;
}

const HAS_SCHEME = /^[a-z][a-z0-9+.-]*:/i;

/** Two spellings of one URL (WHATWG serialization: "http://a.example" = "http://a.example/", host case, %-encoding). */
function sameUrl(a: string, b: string): boolean {
  try {
    return /^https?:/i.test(a) && /^https?:/i.test(b) && new URL(a).href === new URL(b).href;
  } catch {
    return false;
  }
}

/** Whether `relativeRef`, resolved against `absolute` itself, gives `absolute` (so it is what feedparser resolved). */
function resolvesTo(relativeRef: string, absolute: string): boolean {
  try {
    return new URL(relativeRef, absolute).href === new URL(absolute).href;
  } catch {
    return false;
  }
}

function compareFile(file: string, ours: FileSide, theirs: FileSide, tallies: Record<Field, Tally>, disagreements: Disagreement[], equivalents: Disagreement[]): void {
  const count = Math.max(ours.entries.length, theirs.entries.length);
  if (ours.entries.length !== theirs.entries.length) {
    disagreements.push({
      file, entry: -1, field: 'entry', ours: `${ours.entries.length} entries${ours.error ? ` (${ours.error})` : ''}`,
      theirs: `${theirs.entries.length} entries${theirs.error ? ` (${theirs.error})` : ''}`, note: 'entry counts differ; unmatched entries count as disagreements',
    });
  }
  for (let i = 0; i < count; i++) {
    const a = ours.entries[i];
    const b = theirs.entries[i];
    for (const field of FIELDS) {
      const tally = tallies[field];
      tally.total++;
      const oursValue = a ? a[field] : null;
      const theirsValue = b ? b[field] : null;
      const result = a && b ? match(field, oursValue, theirsValue) : null;
      const notes = [...(a?.notes ?? ['ours: entry missing']), ...(b?.notes ?? ['theirs: entry missing'])].filter((n) => relevant(n, field));
      if (result === 'same') {
        tally.agree++;
        tally.same++;
        if (oursValue === null) tally.bothEmpty++;
      } else if (result !== null) {
        tally.agree++;
        tally.equivalent[result] = (tally.equivalent[result] ?? 0) + 1;
        equivalents.push({ file, entry: i, field, ours: oursValue, theirs: theirsValue, note: [result, ...notes].join('; ') });
      } else {
        disagreements.push({ file, entry: i, field, ours: oursValue, theirs: theirsValue, note: notes.join('; ') });
      }
    }
  }
}

function relevant(note: string, field: Field): boolean {
  if (note.includes('entry missing') || note.includes('threw')) return true;
  if (field === 'title') return note.includes('title');
  if (field === 'id') return note.includes(' id');
  if (field === 'published') return note.includes('date');
  return false;
}

// ---------------------------------------------------------------------------------------------
// main

class ToolingError extends Error {}

function listCorpus(dir: string): string[] {
  const out: string[] = [];
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) out.push(...listCorpus(path));
    else if (/\.(xml|json)$/i.test(entry.name) && !entry.name.endsWith('.serde.json')) out.push(path);
  }
  return out.sort();
}

function newTallies(): Record<Field, Tally> {
  return { title: tally(), link: tally(), id: tally(), published: tally() };
}

function tally(): Tally {
  return { agree: 0, same: 0, equivalent: {}, total: 0, bothEmpty: 0 };
}

function add(a: Tally, b: Tally): Tally {
  const equivalent = { ...a.equivalent };
  for (const [rule, n] of Object.entries(b.equivalent) as [Equivalence, number][]) equivalent[rule] = (equivalent[rule] ?? 0) + n;
  return { agree: a.agree + b.agree, same: a.same + b.same, equivalent, total: a.total + b.total, bothEmpty: a.bothEmpty + b.bothEmpty };
}

function overall(tallies: Record<Field, Tally>): Tally {
  return FIELDS.reduce((sum, f) => add(sum, tallies[f]), tally());
}

function share(part: number, total: number): string {
  return total === 0 ? 'n/a' : `${((100 * part) / total).toFixed(2)}%`;
}

function equivalentCount(t: Tally): number {
  return Object.values(t.equivalent).reduce((a, b) => a + b, 0);
}

function table(label: string, tallies: Record<Field, Tally>): string {
  const rows = [...FIELDS.map((f) => [f, tallies[f]] as const), ['overall', overall(tallies)] as const];
  const head = ['field', 'agree', 'total', 'agreement', 'identical', 'equivalent', 'differ', 'strict', 'both empty'];
  const body = rows.map(([name, t]) => [
    name, String(t.agree), String(t.total), share(t.agree, t.total), String(t.same), String(equivalentCount(t)), String(t.total - t.agree), share(t.same, t.total), String(t.bothEmpty),
  ]);
  const widths = head.map((h, i) => Math.max(h.length, ...body.map((r) => r[i]!.length)));
  const line = (cells: string[]) => `  ${cells.map((c, i) => (i === 0 ? c.padEnd(widths[i]!) : c.padStart(widths[i]!))).join('  ')}`;
  return [label, line(head), ...body.map(line)].join('\n');
}

function show(value: string | null): string {
  if (value === null) return '(none)';
  const text = JSON.stringify(value);
  return text.length > 110 ? `${text.slice(0, 107)}…"` : text;
}

function listing(out: string[], title: string, list: Disagreement[]): void {
  out.push('', `${title}: ${list.length}`);
  for (const d of list) {
    out.push(`  ${d.file} #${d.entry} ${d.field}`);
    out.push(`    ours:   ${show(d.ours)}`);
    out.push(`    theirs: ${show(d.theirs)}`);
    if (d.note) out.push(`    note:   ${d.note}`);
  }
}

async function main(): Promise<void> {
  const args = process.argv.slice(2);
  const unknown = args.filter((a) => a !== '--json' && !a.startsWith('--json='));
  if (unknown.length) throw new ToolingError(`unknown argument ${unknown.join(' ')} (usage: compare-feedparser [--json | --json=FILE])`);
  const jsonOnly = args.includes('--json');
  const jsonArg = args.find((a) => a.startsWith('--json='));
  const jsonFile = jsonArg ? resolve(jsonArg.slice('--json='.length)) : null;

  const files = listCorpus(CORPUS);
  if (files.length === 0) throw new ToolingError(`no feeds under ${CORPUS}`);
  const rel = (path: string) => relative(CORPUS, path).split(sep).join('/');
  const urlOf = (path: string) => `${BASE_URL}${rel(path)}`;
  const xmlFiles = files.filter((f) => !/\.json$/i.test(f));
  const python = runFeedparser(xmlFiles.map((path) => ({ path, url: urlOf(path) })));

  const tallies: Record<Group, Record<Field, Tally>> = { feedparser: newTallies(), json: newTallies() };
  const disagreements: Record<Group, Disagreement[]> = { feedparser: [], json: [] };
  const equivalents: Record<Group, Disagreement[]> = { feedparser: [], json: [] };
  const results: FileResult[] = [];
  for (const path of files) {
    const file = rel(path);
    const bytes = readFileSync(path);
    const ours = await ourSide(bytes, urlOf(path));
    const group: Group = /\.json$/i.test(path) ? 'json' : 'feedparser';
    let theirs: FileSide;
    const result: FileResult = { file, group, ours: { entries: ours.entries.length, error: ours.error }, theirs: { entries: 0, error: null } };
    if (group === 'json') {
      theirs = jsonReference(bytes);
    } else {
      const py = python[path];
      if (!py) throw new ToolingError(`feedparser returned nothing for ${file}`);
      theirs = { entries: py.entries.map(theirView), error: py.error };
      result.theirs.version = py.version;
      result.theirs.bozo = py.bozo;
    }
    result.theirs.entries = theirs.entries.length;
    result.theirs.error = theirs.error;
    results.push(result);
    compareFile(file, ours, theirs, tallies[group], disagreements[group], equivalents[group]);
  }

  const combinedFields = Object.fromEntries(FIELDS.map((f) => [f, add(tallies.feedparser[f], tallies.json[f])])) as Record<Field, Tally>;
  const summary = {
    generatedBy: 'scripts/compare-feedparser.ts',
    feedparserVersion: pythonFeedparserVersion(),
    corpus: relative(ROOT, CORPUS),
    files: results.length,
    entries: { feedparser: tallies.feedparser.title.total, json: tallies.json.title.total },
    equivalenceRules: EQUIVALENCES,
    feedparserAdjustments: ADJUSTMENTS,
    normalizeItemFailures: OUR_FAILURES,
    feedparser: { fields: tallies.feedparser, overall: overall(tallies.feedparser), disagreements: disagreements.feedparser, equivalents: equivalents.feedparser },
    json: { fields: tallies.json, overall: overall(tallies.json), disagreements: disagreements.json, equivalents: equivalents.json },
    combined: overall(combinedFields),
    results,
  };
  if (jsonFile) writeFileSync(jsonFile, `${JSON.stringify(summary, null, 2)}\n`);
  if (jsonOnly) {
    process.stdout.write(`${JSON.stringify(summary, null, 2)}\n`);
    return;
  }

  const out: string[] = [];
  out.push(`feedmirror vs Python feedparser ${summary.feedparserVersion} over ${summary.corpus}/ (${files.length} files: ${xmlFiles.length} XML, ${files.length - xmlFiles.length} JSON)`);
  out.push('agreement = identical + equivalent; strict = identical only; both empty = identical because neither side has a value');
  out.push('');
  out.push(table(`XML feeds vs feedparser (${summary.entries.feedparser} entries)`, tallies.feedparser));
  out.push('');
  out.push(table(`JSON Feeds vs their own JSON (feedparser: unsupported) (${summary.entries.json} entries)`, tallies.json));
  out.push('');
  const c = summary.combined;
  out.push(`combined: ${c.agree} / ${c.total} field comparisons agree (${share(c.agree, c.total)}; strict ${share(c.same, c.total)})`);
  out.push(
    `feedparser field rules: ${ADJUSTMENTS.idFromLink} entries without an id used their link as id, ` +
      `${ADJUSTMENTS.htmlTitleStripped} HTML titles had their tags stripped, ${ADJUSTMENTS.dateFromUpdated} dates came from updated_parsed`,
  );
  if (OUR_FAILURES.length) {
    out.push('', `normalizeItem threw on ${OUR_FAILURES.length} items:`);
    for (const failure of [...new Set(OUR_FAILURES)].slice(0, 20)) out.push(`  ${failure}`);
  }
  const rules = Object.entries(overall(tallies.feedparser).equivalent);
  if (rules.length) {
    out.push('', 'equivalence rules applied:');
    for (const [rule, n] of rules) out.push(`  ${rule} (${n}): ${EQUIVALENCES[rule as Equivalence]}`);
  }
  // Every file is "bozo" NonXMLContentType here: there is no HTTP Content-Type to pass. Only other reasons are shown.
  const bozo = (r: FileResult) => (r.theirs.bozo && !r.theirs.bozo.startsWith('NonXMLContentType') ? r.theirs.bozo : null);
  const flagged = results.filter((r) => r.ours.error || r.theirs.error || bozo(r));
  if (flagged.length) {
    out.push('', 'files a parser rejected or flagged (feedparser "bozo": not well-formed, read with its lenient parser):');
    for (const r of flagged) {
      const theirs = r.theirs.error ?? `${r.theirs.entries} entries${bozo(r) ? `, bozo ${bozo(r)}` : ''}`;
      out.push(`  ${r.file}: ours ${r.ours.error ?? `${r.ours.entries} entries`} | feedparser ${theirs}`);
    }
  }
  listing(out, 'disagreements vs feedparser', disagreements.feedparser);
  listing(out, 'disagreements, JSON Feed vs its JSON', disagreements.json);
  const equivalentList = [...equivalents.feedparser, ...equivalents.json];
  if (equivalentList.length) out.push('', `equivalent (counted as agreement; listed with --json): ${equivalentList.length}`, ...summarizeEquivalents(equivalentList));
  if (jsonFile) out.push('', `JSON written to ${relative(process.cwd(), jsonFile) || jsonFile}`);
  process.stdout.write(`${out.join('\n')}\n`);
}

/** One line per file, field and rule: "feed-rs/atom/x.xml id feedparser-resolved-id: entries 0, 1, 2". */
function summarizeEquivalents(list: Disagreement[]): string[] {
  const groups = new Map<string, number[]>();
  for (const d of list) {
    const key = `${d.file} ${d.field} ${d.note.split(';')[0]}`;
    groups.set(key, [...(groups.get(key) ?? []), d.entry]);
  }
  return [...groups].map(([key, entries]) => `  ${key}: entr${entries.length === 1 ? 'y' : 'ies'} ${entries.join(', ')}`);
}

function pythonFeedparserVersion(): string {
  const result = spawnSync(PYTHON, ['-c', 'import feedparser; print(feedparser.__version__)'], { encoding: 'utf8' });
  return result.status === 0 ? result.stdout.trim() : 'unknown';
}

function collapse(value: string | null | undefined): string | null {
  const text = value?.replace(/\s+/g, ' ').trim();
  return text ? text : null;
}

function blankToNull(value: string | null | undefined): string | null {
  return value?.trim() ? value.trim() : null;
}

/** ISO 8601 UTC to the second: "2020-01-02T03:04:05Z". */
function toSecond(iso: string): string {
  return `${iso.slice(0, 19)}Z`;
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

main().catch((error: unknown) => {
  process.stderr.write(`compare-feedparser: ${error instanceof ToolingError ? error.message : (error as Error).stack ?? String(error)}\n`);
  process.exitCode = 2;
});
