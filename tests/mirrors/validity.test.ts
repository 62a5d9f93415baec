/**
 * Every feed file of every site copy and every variant, judged by other people's tools: xmllint
 * (exit 0 and nothing on stderr), jing with the RFC 4287 RELAX NG schema (Atom), Python
 * feedparser (bozo false, and it reads back our ids), the W3C Feed Validator (no error; one
 * process for all of them) and the JSON Feed 1.1 schema.
 */
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { feedparserFiles, jingAtomFiles, validateJsonFeed, xmllint, type FeedparserResult } from '../helpers/validators.js';
import { w3cErrorLines, w3cValidate } from '../helpers/w3c-validator.js';
import { FORMAT_FILES, FORMATS, readFeed } from './helpers/feed-items.js';
import { COPY_DIRS, createFullProject, TARGETS, type FullProject } from './helpers/full-project.js';
import { ProjectScope } from './helpers/project.js';
import { ServerScope } from './helpers/servers.js';

const servers = new ServerScope();
const projects = new ProjectScope();
let full: FullProject;

beforeAll(async () => {
  full = await createFullProject(servers, projects);
});

afterAll(async () => {
  await servers.closeAll();
  await projects.cleanupAll();
});

const FILES = COPY_DIRS.flatMap((copy) => TARGETS.flatMap((target) => FORMATS.map((format) => ({ format, relative: `${copy.dir}${target}${FORMAT_FILES[format]}` }))));

// jing (a JVM) and feedparser (Python) start slowly: each runs once over every file, and each test reads its file's result
let jingResults: Promise<Map<string, string[]>> | undefined;
let feedparserResults: Promise<Map<string, FeedparserResult>> | undefined;
const feedPath = (relative: string) => path.join(full.project.feedsDir, relative);

async function jingOf(relative: string): Promise<{ ok: boolean; errors: string[] }> {
  jingResults ??= jingAtomFiles(FILES.filter((f) => f.format === 'atom').map((f) => feedPath(f.relative)));
  const errors = (await jingResults).get(feedPath(relative))!;
  return { ok: errors.length === 0, errors };
}

async function feedparserOf(relative: string): Promise<FeedparserResult> {
  feedparserResults ??= feedparserFiles(FILES.filter((f) => f.format !== 'json').map((f) => feedPath(f.relative)));
  return (await feedparserResults).get(feedPath(relative))!;
}

describe('validity of every variant and site copy', () => {
  it('covers 4 copies × (the output and 2 variants) × 3 formats', () => {
    expect(FILES).toHaveLength(36);
  });

  it('every RSS and Atom file passes the W3C Feed Validator', async () => {
    const feeds = FILES.filter((f) => f.format !== 'json').map((f) => path.join(full.project.feedsDir, f.relative));
    expect(w3cErrorLines(await w3cValidate(feeds), full.project.feedsDir)).toEqual([]);
  });

  for (const { format, relative } of FILES) {
    if (format === 'json') {
      it(`${relative}: valid JSON Feed 1.1`, async () => {
        const result = await validateJsonFeed(path.join(full.project.feedsDir, relative));
        expect(result.messages).toEqual([]);
        expect(result.ok).toBe(true);
      });
      continue;
    }

    it(`${relative}: xmllint accepts it (exit 0, empty stderr)`, async () => {
      const result = await xmllint(path.join(full.project.feedsDir, relative));
      expect(result.stderr).toBe('');
      expect(result.code).toBe(0);
    });

    if (format === 'atom') {
      it(`${relative}: valid against the Atom RELAX NG schema (jing)`, async () => {
        const result = await jingOf(relative);
        expect(result.errors).toEqual([]);
        expect(result.ok).toBe(true);
      });
    }

    it(`${relative}: Python feedparser reads it with bozo false and sees our ids`, async () => {
      const parsed = await feedparserOf(relative);
      expect(parsed.bozo_exception).toBeNull();
      expect(parsed.bozo).toBe(false);
      expect(parsed.version).toBe(format === 'rss' ? 'rss20' : 'atom10');
      const ours = readFeed(format, await full.project.output(relative));
      expect(parsed.entries.map((e) => e.id)).toEqual(ours.items.map((i) => i.id));
      expect(parsed.entries.map((e) => e.link)).toEqual(ours.items.map((i) => i.link));
    });
  }
});
