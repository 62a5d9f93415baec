/**
 * Characters XML cannot carry, in seed files (issue 15, point 8): C0 controls, NUL, U+FFFE and
 * U+FFFF at every offset (the binary sniff looks at the first 8 KB only; these stand before,
 * on and far past that boundary), in the headline, body, captions, credits and footer. None
 * reaches any output file (RSS, Atom, JSON Feed, seed pages, index, mirrors.json) or the store;
 * the text around them is kept; every file stays valid. Encoded surrogates are not UTF-8: refused.
 */
import { readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { createWorkspace, LOG_ERROR, type Workspace } from '../helpers/workspace.js';
import { expectExit } from './helpers/expectations.js';
import { checkOutputTree, dumpStore, listTree } from './helpers/outputs.js';
import { useChildCleanup } from './helpers/processes.js';
import { runInProcess } from './helpers/in-process.js';

useChildCleanup();

const workspaces: Workspace[] = [];
afterEach(async () => {
  for (const ws of workspaces.splice(0)) await ws.cleanup();
});

/** What XML 1.0 cannot carry (tab, LF and CR aside); a lone surrogate is matched by the u flag. */
const FORBIDDEN = /[\x00-\x08\x0B\x0C\x0E-\x1F\uFFFE\uFFFF]|\p{Cs}/u;
/** Every C0 control a seed may hold (a NUL only past the binary sniff), with U+FFFE and U+FFFF. */
const CONTROLS = ['\x01', '\x02', '\x07', '\x08', '\x0e', '\x1b', '\x1f', '\ufffe', '\uffff'];
const ALL_CONTROLS = CONTROLS.join('');

/** Filler prose without controls, to push what follows past a given byte offset. */
function filler(bytes: number): string {
  const sentence = 'The council met again on Tuesday and talked about the budget for the harbour. ';
  return sentence.repeat(Math.ceil(bytes / sentence.length)).slice(0, bytes).trim();
}

/** Controls just before, on and after the 8 KB sniff boundary, then far past it; markers show the text around them was kept. */
function richSeed(): string {
  const head = `Headline${ALL_CONTROLS}Alpha shows\x0bspaced\x0cwords\n\n`;
  const early = `Early paragraph with ${ALL_CONTROLS}BravoMarker in it.\n\n`;
  const toBoundary = filler(8192 - Buffer.byteLength(head + early) - 4);
  const around = `${toBoundary}\x01\x02\x03\x04\x05\x06 CharlieMarker after the boundary.\n\n`;
  return (
    head +
    early +
    around +
    `${filler(100_000)}\n\n` +
    `Far past the sniff, a NUL\x00DeltaMarker and ${ALL_CONTROLS}EchoMarker.\n\n` +
    `Smoke${ALL_CONTROLS} rises over FoxtrotMarker harbour (Photo by Agence${ALL_CONTROLS} GolfMarker)\n\n` +
    `Last body paragraph with HotelMarker${ALL_CONTROLS}.\n\n` +
    `Press${ALL_CONTROLS} IndiaMarker’s website can also be accessed at the following alternate addresses:\n\n` +
    `www.juliet\x01marker\x1f.example\n`
  );
}

/** A headline longer than the sniffed prefix, with controls spread along it. */
function longHeadlineSeed(): string {
  const parts = Array.from({ length: 12 }, (_, i) => `${filler(900)} Kilo${i}${CONTROLS[i % CONTROLS.length]}Marker`);
  return `${parts.join(' ')}\n\nA short body.\n`;
}

/** Every string in a parsed JSON value. */
function stringsOf(value: unknown): string[] {
  if (typeof value === 'string') return [value];
  if (Array.isArray(value)) return value.flatMap(stringsOf);
  if (value && typeof value === 'object') return Object.entries(value).flatMap(([k, v]) => [k, ...stringsOf(v)]);
  return [];
}

async function expectCleanTree(root: string): Promise<string> {
  const all: string[] = [];
  for (const relative of await listTree(root)) {
    const text = await readFile(path.join(root, relative), 'utf8');
    expect(FORBIDDEN.test(text), `${relative} holds a raw forbidden character`).toBe(false);
    // JSON escapes them (\u0001), so the raw bytes look clean: look at the decoded strings
    if (relative.endsWith('.json')) for (const s of stringsOf(JSON.parse(text))) expect(FORBIDDEN.test(s), `${relative}: ${JSON.stringify(s.slice(0, 80))}`).toBe(false);
    all.push(text);
  }
  return all.join('\n');
}

describe('control characters anywhere in a seed', () => {
  it('none reaches any output file or the store, the text around them stays, and every file is valid', async () => {
    const ws = await createWorkspace({ seeds: [] });
    workspaces.push(ws);
    await writeFile(path.join(ws.seedsDir, '001_aaaa0001.txt'), richSeed());
    await writeFile(path.join(ws.seedsDir, '002_aaaa0002.txt'), longHeadlineSeed());
    // Encoded surrogates (CESU-8) and an encoded U+FFFE past the sniff: the first is not UTF-8 at all
    await writeFile(
      path.join(ws.seedsDir, '003_aaaa0003.txt'),
      Buffer.concat([Buffer.from(`Surrogates\n\n${filler(9000)}\n\n`), Buffer.from([0xed, 0xa0, 0x80, 0xed, 0xbf, 0xbf]), Buffer.from(' after.\n')]),
    );

    const result = await runInProcess(['run', '--config', ws.configPath, '--log-format', 'json'], { cwd: ws.dir });
    expectExit(result, 0);
    const errors = result.logs.filter((r) => r.level >= LOG_ERROR);
    expect(errors.map((r) => r.code)).toEqual(['FM_SEED_NOT_UTF8']);
    expect(errors[0]!.msg).toMatch(/003_aaaa0003\.txt.*not valid UTF-8 \(first bad byte at offset 9\d\d\d\)/);

    const text = await expectCleanTree(ws.feedsDir);
    for (const marker of ['HeadlineAlpha shows spaced words', 'BravoMarker', 'CharlieMarker', 'NULDeltaMarker', 'EchoMarker', 'FoxtrotMarker', 'GolfMarker', 'HotelMarker', 'IndiaMarker', 'www.julietmarker.example']) {
      expect(text, marker).toContain(marker);
    }
    for (let i = 0; i < 12; i++) expect(text, `Kilo${i}Marker`).toContain(`Kilo${i}Marker`);
    expect(await listTree(ws.feedsDir)).toEqual(expect.arrayContaining(['all/rss.xml', 'all/atom.xml', 'all/feed.json', 'articles/aaaa0001.html', 'articles/aaaa0002.html']));
    expect(FORBIDDEN.test((await dumpStore(ws.databasePath)).replace(/\\u00[01][0-9a-f]/gi, (escape) => JSON.parse(`"${escape}"`) as string))).toBe(false);
    expect(await checkOutputTree(ws.feedsDir)).toEqual([]);
  });
});
