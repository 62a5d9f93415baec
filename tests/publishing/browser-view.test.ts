import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Browser, Locator, Page } from 'playwright-core';
import { createWorkspace, runCli, SAMPLE_HEADLINE, SAMPLE_ID, writeConfig, type CliResult, type Workspace } from '../helpers/workspace.js';
import { header, request } from '../operations/helpers/http-client.js';
import { startCli, waitForExit, waitForLogs, type CliChild } from '../operations/helpers/ops-scope.js';
import { launchChromium } from './helpers/browser.js';
import { startServer, type TestServer } from './helpers/servers.js';
import { expectValidTree } from './helpers/validate-tree.js';

/**
 * A person who opens the site in Chromium through `feedmirror serve`, as an operator runs it:
 * rss.xml and atom.xml render through feed.xsl, and each feed's own web page (all/index.html)
 * renders with no XSLT and no JavaScript. The stylesheet's href is absolute on site.url, so serve
 * starts first (it serves whatever the folder holds), then the config names its port and a run
 * publishes. The items: the sample seed (publisher, captions, a site mirror), a long summary with
 * code written as text (tests/fixtures/feeds/browser/world.xml) and an Arabic feed (arabic.xml).
 */
const FEED_TITLE = 'Browser view: Kerry & Aleppo';
/** Text only the stylesheet writes (feed-stylesheet.ts). */
const XSL_TEXT = 'This is a web feed';
/** What Chromium shows for XML without a stylesheet. */
const RAW_XML_TEXT = 'This XML file does not appear to have any style information';
const SITE_MIRROR = 'mirror.example.net';
/** The world.xml item's title as plain text: code shown as text, never an element. */
const CODE_TITLE = 'How to write <img src=x onerror=alert(1)> tags, Tom & Jerry "quoted"';
const ARABIC_TITLE = 'افتتاح خط الترام الجديد في المدينة';
/** world.xml's other items: a long summary in Chinese (no spaces), and one of a hundred ampersands. */
const CJK_TITLE = '港口电车';
const AMPERSANDS_TITLE = 'Ampersands';
const TITLES = [CODE_TITLE, ARABIC_TITLE, CJK_TITLE, AMPERSANDS_TITLE, SAMPLE_HEADLINE];
const FIXTURES = path.join(import.meta.dirname, '../fixtures/feeds/browser');

let feeds: TestServer;
let ws: Workspace;
let serve: CliChild;
let base: string;
let run: CliResult;
let browser: Browser | undefined;

function configFor(siteUrl: string): Record<string, unknown> {
  return {
    site: { url: siteUrl, title: 'Browser tests', description: 'Feeds opened in a browser', language: 'en', mirrors: [`https://${SITE_MIRROR}/`] },
    fetch: { allowPrivateNetworks: true },
    sources: [
      { id: 'seeds', title: 'Seed articles', seeds: 'seeds' },
      { id: 'world', title: 'World desk', url: `${feeds.url}world.xml`, mirrors: ['mirror.news.example.net'] },
      { id: 'arabic', url: `${feeds.url}arabic.xml` },
    ],
    outputs: [{ id: 'all', title: FEED_TITLE, sources: ['*'], limit: 100 }],
  };
}

beforeAll(async () => {
  const fixture = async (name: string) => ({ body: await readFile(path.join(FIXTURES, name), 'utf8') });
  feeds = await startServer({ '/world.xml': await fixture('world.xml'), '/arabic.xml': await fixture('arabic.xml') });
  ws = await createWorkspace({ config: null });
  await writeConfig(ws.configPath, configFor('http://127.0.0.1:1/'));
  serve = startCli(['serve', '--config', ws.configPath, '--port', '0', '--log-format', 'json'], { cwd: ws.dir });
  const [listening] = await waitForLogs(serve, (r) => r.event === 'listening', 'the "listening" log line');
  base = `http://127.0.0.1:${String(listening!.port)}/`;
  await writeConfig(ws.configPath, configFor(base));
  run = await runCli(['run'], { cwd: ws.dir });
});
afterAll(async () => {
  await browser?.close();
  if (serve && !serve.hasExited()) {
    serve.signal('SIGTERM');
    await waitForExit(serve);
  }
  await feeds?.close();
  await ws?.cleanup();
});

/** A page of a browser with JavaScript off: nothing we publish may need it. */
async function openPage(url: string): Promise<{ page: Page; contentType: string | undefined; close(): Promise<void> }> {
  browser ??= await launchChromium();
  const context = await browser.newContext({ javaScriptEnabled: false });
  const page = await context.newPage();
  const response = await page.goto(url);
  expect(response?.status(), url).toBe(200);
  return { page, contentType: response?.headers()['content-type'], close: () => context.close() };
}

/** An item's summary as stored (feed.json carries it whole): what the views cut. */
async function fullSummary(title: string): Promise<string> {
  const json = JSON.parse(await readFile(path.join(ws.feedsDir, 'all', 'feed.json'), 'utf8')) as { items: { title: string; summary?: string }[] };
  return json.items.find((i) => i.title === title)!.summary!;
}

/**
 * Each long summary as a view shows it: no longer than 300 characters, marked with an ellipsis, the
 * start of the stored text, cut between two words (text without spaces at the limit), entities
 * shown as the characters they stand for.
 */
async function expectSummariesCut(page: Page): Promise<void> {
  const shown = async (title: string) => itemTitled(page, title).locator('.summary').innerText();
  for (const title of [CODE_TITLE, CJK_TITLE, AMPERSANDS_TITLE]) {
    const [full, text] = [await fullSummary(title), await shown(title)];
    expect(full.length, title).toBeGreaterThan(300);
    expect(text.length, title).toBeLessThanOrEqual(300);
    expect(text.endsWith('…'), title).toBe(true);
    const kept = text.slice(0, -1);
    expect(full.startsWith(kept), title).toBe(true);
    if (title !== CJK_TITLE) expect(full[kept.length], title).toBe(' ');
  }
  expect(await shown(CODE_TITLE)).toContain('the <script> element runs code');
  expect(await shown(CJK_TITLE)).toHaveLength(300);
  expect(await shown(AMPERSANDS_TITLE)).toMatch(/^(Tom & Jerry )+Tom( &( Jerry)?)?…$/);
}

const direction = (item: Locator) => item.evaluate((el) => getComputedStyle(el).direction);
/** The item (li) whose title is `title`. */
const itemTitled = (page: Page, title: string) => page.locator('ol > li').filter({ hasText: title });

describe('feeds and pages opened in a browser (headless Chromium, through feedmirror serve)', () => {
  it('the run writes valid feeds that reference the stylesheet on this server, and valid pages', async () => {
    expect(run.code, run.stderr).toBe(0);
    for (const file of ['rss.xml', 'atom.xml']) {
      expect(await readFile(path.join(ws.feedsDir, 'all', file), 'utf8')).toContain(`<?xml-stylesheet href="${base}feed.xsl" type="text/xsl"?>`);
    }
    const { checked } = await expectValidTree(ws.feedsDir, { all: FEED_TITLE });
    expect(checked).toEqual(expect.arrayContaining(['all/index.html', `mirrors/${SITE_MIRROR}/all/index.html`]));
  });

  for (const file of ['rss.xml', 'atom.xml']) {
    it(`${file} is served as application/xml and renders through feed.xsl as a readable page`, async () => {
      const { page, contentType, close } = await openPage(`${base}all/${file}`);
      try {
        expect(contentType).toBe('application/xml; charset=utf-8');
        const text = await page.innerText('body');
        expect(text).not.toContain(RAW_XML_TEXT);
        expect(text).toContain(XSL_TEXT);
        expect(await page.locator('h1').innerText()).toBe(FEED_TITLE);
        expect(await page.locator('p.about code').innerText()).toBe(`${base}all/${file}`);
        expect(await page.title()).toBe(`${FEED_TITLE} (feed)`);
        const titles = page.locator('ol > li > a');
        expect(await titles.allInnerTexts()).toEqual(TITLES);
        expect(await titles.last().getAttribute('href')).toBe(`${base}articles/${SAMPLE_ID}.html`);
        // the XSL view links the feed's own page, which needs no XSLT
        expect(await page.locator('a.page').getAttribute('href')).toBe(`${base}all/`);
      } finally {
        await close();
      }
    });

    it(`${file} in the XSL view: code in a title stays text, human dates, summaries cut at a word, right-to-left items, mirror and publisher links`, async () => {
      const { page, close } = await openPage(`${base}all/${file}`);
      try {
        expect(await page.locator('img').count()).toBe(0);
        const world = itemTitled(page, CODE_TITLE);
        expect(await world.locator('.date').innerText()).toBe('2 May 2024, 09:30 UTC · World desk');
        await expectSummariesCut(page);
        expect(await direction(world)).toBe('ltr');
        expect(await direction(itemTitled(page, ARABIC_TITLE))).toBe('rtl');
        expect(await world.locator('.more a').evaluateAll((links) => links.map((a) => [a.textContent, a.getAttribute('href')]))).toEqual([
          ['mirror.news.example.net', 'https://mirror.news.example.net/2024/05/html-lesson.html'],
          ['news.example.org', 'https://news.example.org/'],
          ['mirror.news.example.net', 'https://mirror.news.example.net/'],
        ]);
        const seed = itemTitled(page, SAMPLE_HEADLINE);
        expect(await seed.locator('.date').innerText()).toBe('15 Dec 2016, 12:00 UTC');
        expect(await seed.locator('.more a').evaluateAll((links) => links.map((a) => a.getAttribute('href')))).toEqual([
          `https://${SITE_MIRROR}/articles/${SAMPLE_ID}.html`,
          'https://www.presstv.co.uk/',
        ]);
      } finally {
        await close();
      }
    });
  }

  it('all/ (the feed\'s web page) renders with JavaScript off: subscribe box, items with dates, cut summaries, sources, links', async () => {
    const { page, contentType, close } = await openPage(`${base}all/`);
    try {
      expect(contentType).toBe('text/html; charset=utf-8');
      expect(await page.locator('h1').innerText()).toBe(FEED_TITLE);
      expect(await page.title()).toBe(FEED_TITLE);
      expect(await page.locator('.subscribe code').allInnerTexts()).toEqual([`${base}all/rss.xml`, `${base}all/atom.xml`, `${base}all/feed.json`]);
      expect(await page.locator('ol.items > li .title').allInnerTexts()).toEqual(TITLES);
      // hostile-looking text is text: no element came out of it
      expect(await page.locator('img, script').count()).toBe(0);
      const world = itemTitled(page, CODE_TITLE);
      expect(await world.locator('.meta').innerText()).toBe('2 May 2024, 09:30 UTC · World desk');
      await expectSummariesCut(page);
      expect(await world.locator('.title a').getAttribute('href')).toBe('https://news.example.org/2024/05/html-lesson.html');
      const arabic = itemTitled(page, ARABIC_TITLE);
      expect(await direction(arabic)).toBe('rtl');
      expect(await arabic.getAttribute('lang')).toBe('ar');
      expect(await direction(world)).toBe('ltr');
      // a seed's date came from its text: the day, with no invented time
      const seed = itemTitled(page, SAMPLE_HEADLINE);
      expect(await seed.locator('.meta').innerText()).toBe('15 Dec 2016 · Seed articles');
      expect(await seed.locator('.more a').evaluateAll((links) => links.map((a) => [a.textContent, a.getAttribute('href')]))).toEqual([
        [SITE_MIRROR, `https://${SITE_MIRROR}/articles/${SAMPLE_ID}.html`],
        ['www.presstv.co.uk', 'https://www.presstv.co.uk/'],
      ]);
      // back to the site index, whose "web page" link leads here again
      await page.locator('p.site a').click();
      expect(page.url()).toBe(base);
      await page.locator('.feed a', { hasText: 'web page' }).click();
      expect(page.url()).toBe(`${base}all/`);
    } finally {
      await close();
    }
  });

  it('a site mirror\'s copy of the page names that copy\'s feed addresses and links', async () => {
    const port = Number(new URL(base).port);
    const response = await request(port, '/all/', { headers: { host: SITE_MIRROR } });
    expect(response.status).toBe(200);
    expect(header(response, 'content-type')).toBe('text/html; charset=utf-8');
    const html = response.body.toString('utf8');
    for (const file of ['rss.xml', 'atom.xml', 'feed.json']) expect(html).toContain(`<code>https://${SITE_MIRROR}/all/${file}</code>`);
    expect(html).not.toContain(`<code>${base}`);
    // the seed's link is its page on this copy; the main address is listed as another
    expect(html).toContain(`<a href="https://${SITE_MIRROR}/articles/${SAMPLE_ID}.html">`);
    expect(html).toContain(`<a href="${base}articles/${SAMPLE_ID}.html">127.0.0.1:${port}</a>`);
  });

  it('an article page keeps the publisher\'s credit words and links the publisher\'s hosts', async () => {
    const { page, close } = await openPage(`${base}articles/${SAMPLE_ID}.html`);
    try {
      expect(await page.locator('figcaption small').allInnerTexts()).toEqual(['(Photo by AFP)', '(Photo by AFP)', '(Photo by AFP)']);
      expect(await page.locator('footer a', { hasText: 'www.presstv.co.uk' }).getAttribute('href')).toBe('https://www.presstv.co.uk/');
      expect(await page.locator('time').innerText()).toBe('15 Dec 2016');
    } finally {
      await close();
    }
  });
});
