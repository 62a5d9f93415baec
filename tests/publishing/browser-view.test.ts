import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Browser } from 'playwright-core';
import { serveFolder, type StaticServer } from '../helpers/serve.js';
import { createWorkspace, defaultConfig, runCli, SAMPLE_HEADLINE, SAMPLE_ID, writeConfig, type CliResult, type Workspace } from '../helpers/workspace.js';
import { launchChromium } from './helpers/browser.js';
import { expectValidTree } from './helpers/validate-tree.js';

/**
 * A person who opens rss.xml or atom.xml in a browser sees a page (the XSL stylesheet at work),
 * not raw XML. The stylesheet's href is absolute on site.url, so the site is served by the test
 * itself: the server starts first, then the config names it.
 */
const FEED_TITLE = 'Browser view: Kerry & Aleppo';
/** Text only the stylesheet writes (feed-stylesheet.ts). */
const XSL_TEXT = 'This is a web feed';
/** What Chromium shows for XML without a stylesheet. */
const RAW_XML_TEXT = 'This XML file does not appear to have any style information';

let ws: Workspace;
let server: StaticServer;
let run: CliResult;
let browser: Browser | undefined;

beforeAll(async () => {
  ws = await createWorkspace({ config: null });
  server = await serveFolder(ws.feedsDir);
  const config = defaultConfig();
  config.site = { ...config.site, url: server.url };
  config.outputs = [{ id: 'all', title: FEED_TITLE, sources: ['*'], limit: 100 }];
  await writeConfig(ws.configPath, config);
  run = await runCli(['run'], { cwd: ws.dir });
});
afterAll(async () => {
  await browser?.close();
  await server?.close();
  await ws?.cleanup();
});

describe('feeds opened in a browser (headless Chromium)', () => {
  it('the run writes valid feeds that reference the stylesheet on this server', async () => {
    expect(run.code, run.stderr).toBe(0);
    for (const file of ['rss.xml', 'atom.xml']) {
      expect(await readFile(path.join(ws.feedsDir, 'all', file), 'utf8')).toContain(`<?xml-stylesheet href="${server.url}feed.xsl" type="text/xsl"?>`);
    }
    await expectValidTree(ws.feedsDir, { all: FEED_TITLE });
  });

  for (const file of ['rss.xml', 'atom.xml']) {
    it(`${file} renders through feed.xsl as a readable page with the feed title and the item`, async () => {
      browser ??= await launchChromium();
      const page = await browser.newPage();
      try {
        const response = await page.goto(`${server.url}all/${file}`);
        expect(response?.status()).toBe(200);
        const text = await page.innerText('body');
        expect(text).not.toContain(RAW_XML_TEXT);
        expect(text).toContain(XSL_TEXT);
        expect(text).toContain(FEED_TITLE);
        expect(text).toContain(SAMPLE_HEADLINE);
        // the page is the stylesheet's HTML: a heading, the subscribe note with the feed's address, a linked item
        expect(await page.locator('h1').innerText()).toBe(FEED_TITLE);
        expect(await page.locator('p.about code').innerText()).toBe(`${server.url}all/${file}`);
        const items = page.locator('ol > li > a');
        expect(await items.count()).toBe(1);
        expect(await items.first().innerText()).toBe(SAMPLE_HEADLINE);
        expect(await items.first().getAttribute('href')).toBe(`${server.url}articles/${SAMPLE_ID}.html`);
        expect(await page.title()).toBe(`${FEED_TITLE} (feed)`);
        expect(server.requests).toContain('/feed.xsl');
      } finally {
        await page.close();
      }
    });
  }
});
