/**
 * The W3C Feed Validator (validator.w3.org/feed's code, Python 3 fork), vendored under
 * tests/tools/w3c-feedvalidator/ so every clone has it. It checks what the schemas cannot: ids are
 * IRIs, dates are RFC 822 / RFC 3339, e-mail addresses, MIME types, language codes, links.
 * Python and the validator's modules load slowly, so one process per worker judges every file.
 */
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { LineServer } from './line-server.js';
import { hasPythonModule, missingTool } from './tools.js';

export const W3C_VALIDATOR = fileURLToPath(new URL('../tools/w3c-feedvalidator/validate', import.meta.url));

/** It needs Debian's Python modules, which only the system Python sees. */
const SYSTEM_PYTHON = '/usr/bin/python3';
const PYTHON_MODULES = ['lxml', 'libxml2', 'rdflib', 'html5lib'];
const PACKAGES = 'python3-lxml python3-libxml2 python3-rdflib python3-html5lib';

/**
 * One validator for the whole worker (see LineServer), its --serve mode; no .pyc files written
 * into the repository's copy of it.
 */
const validatorServer = new LineServer('W3C Feed Validator', SYSTEM_PYTHON, [W3C_VALIDATOR, '--warnings', '--serve'], { ...process.env, PYTHONDONTWRITEBYTECODE: '1' });

export interface W3cReport {
  /** "line L, column C: message" per class of error (the validator reports each class once, with a count). */
  errors: string[];
  warnings: string[];
}

/**
 * Warning classes judged not to be problems, each with the reason; any other warning is for the
 * test to judge (the corpus test fails on it). The same list, for readers, is in
 * docs/hostile-input.md ("Validity checks").
 */
export const ACCEPTED_WARNINGS: { pattern: RegExp; why: string }[] = [
  { pattern: /^Use of unknown namespace: https:\/\/feedmirror\.org\/ns\/1\.0$/, why: 'our own extension namespace (content hash, publisher), unknown to the validator by design' },
  { pattern: /^Unregistered link relationship$/, why: 'rel="duplicate" (mirror copies), registered by RFC 6249 after the validator\'s list was made' },
  { pattern: /^Missing source element: updated$/, why: 'atom:source names the source feed; its own <updated> is not stored, and RFC 4287 §4.2.11 says only SHOULD' },
  { pattern: /^Implausible date$/, why: 'a source\'s dates before 1990, and the epoch as `updated` of an empty feed (never the clock, so unchanged input keeps its bytes)' },
  { pattern: /^Two entries with the same value for atom:updated$/, why: 'the dates the sources gave' },
  { pattern: /^Missing textual content$/, why: 'an entry the source gave no text for has its link; RFC 4287 §4.1.1 only advises a summary' },
  { pattern: /^Ensure description precedes content:encoded$/, why: 'content without text (an image alone) gives no summary for <description>, which RSS does not require' },
  { pattern: /^(?:title|source) should not contain HTML(?: unless declared in the type attribute)?$/, why: 'RSS titles that look like markup are written entity-escaped on purpose (see rssTitle), so no reader runs them' },
  { pattern: /^[\w:]+ contains bad characters$/, why: 'C1 control characters or U+FFFD in the source\'s own text: legal XML, kept as served' },
  { pattern: /^Invalid HTML$/, why: 'html5lib\'s strict parser on the same C1 controls / U+FFFD (it comes with "contains bad characters")' },
  { pattern: /^Identifier ".*" is not in canonical form \(the canonical form would be ".*"\)$/, why: 'a publisher\'s URI guid kept character for character: changed, readers would see the item as new' },
  { pattern: /^URI scheme not IANA registered$/, why: 'a publisher\'s URI guid with its own scheme (yt:video:…), a valid URI' },
  { pattern: /^The specified guid is not sufficiently unique$/, why: 'a short numeric guid kept in its own source\'s output (merged outputs write a derived id)' },
  { pattern: /^name should not include email address$/, why: 'author names as the source gave them' },
  { pattern: /^Archive incomplete$/, why: 'the oldest RFC 5005 archive page has no prev-archive: there is nothing before it' },
];

/** A validator message without its position and count: "line 3, column 5: X (2 occurrences)" → "X". */
export function warningClass(message: string): string {
  return message.replace(/^line \d+, column \d+: /, '').replace(/ \(\d+ occurrences\)$/, '');
}

let checked: Promise<boolean> | undefined;

async function hasValidator(): Promise<boolean> {
  checked ??= (async () => {
    for (const module of PYTHON_MODULES) if (!(await hasPythonModule(SYSTEM_PYTHON, module))) return false;
    return true;
  })();
  return checked;
}

/** Validates RSS and Atom files; one report per file, keyed by the path given. */
export async function w3cValidate(files: string[]): Promise<Map<string, W3cReport>> {
  const reports = new Map<string, W3cReport>();
  if (files.length === 0) return reports;
  if (!(await hasValidator())) missingTool(`the W3C Feed Validator's Python modules for ${SYSTEM_PYTHON} (Debian packages ${PACKAGES})`);
  // absolute: the validator's working folder is the one the worker had when it started
  const absolute = new Map(files.map((file) => [path.resolve(file), file]));
  const { output } = await validatorServer.request<{ output: string; failed: boolean }>([...absolute.keys()]);
  for (const [file, report] of parseOutput(output, [...absolute.keys()])) reports.set(absolute.get(file)!, report);
  return reports;
}

/** "OK FILE" / "FAIL FILE", then that file's "  ERR …" and "  WARN …" lines. */
function parseOutput(stdout: string, files: string[]): Map<string, W3cReport> {
  const reports = new Map<string, W3cReport>();
  const expected = new Set(files);
  let current: W3cReport | null = null;
  for (const line of stdout.split('\n')) {
    const head = /^(?:OK|FAIL) (.*)$/.exec(line);
    if (head && expected.has(head[1]!)) {
      current = { errors: [], warnings: [] };
      reports.set(head[1]!, current);
    } else if (current && line.startsWith('  ERR ')) current.errors.push(line.slice(6));
    else if (current && line.startsWith('  WARN ')) current.warnings.push(line.slice(7));
  }
  const missing = files.filter((file) => !reports.has(file));
  if (missing.length > 0) throw new Error(`W3C Feed Validator said nothing about ${missing.join(', ')}`);
  return reports;
}

/** Warnings outside ACCEPTED_WARNINGS. */
export function unexpectedWarnings(report: W3cReport): string[] {
  return report.warnings.filter((warning) => !ACCEPTED_WARNINGS.some((accepted) => accepted.pattern.test(warningClass(warning))));
}

/** One line per error of each file, "relative: W3C: message", for assertion messages; [] when all pass. */
export function w3cErrorLines(reports: Map<string, W3cReport>, root?: string): string[] {
  return [...reports].flatMap(([file, report]) => report.errors.map((error) => `${root ? path.relative(root, file) : file}: W3C: ${error}`));
}
