/**
 * `feedmirror serve`'s security headers: a Content-Security-Policy that fits each kind of file,
 * Referrer-Policy, frame protection and nosniff on every response; and, in headless Chromium, our
 * own pages still render under that policy with no violation reported: index.html, an article
 * page, the 404 page, rss.xml and atom.xml through feed.xsl, and a feed styled by feed.css alone.
 */
import { writeFile } from 'node:fs/promises';
import path from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { afterAll, describe, expect, it } from 'vitest';
import { SAMPLE_HEADLINE, SAMPLE_ID, writeConfig, type Workspace } from '../helpers/workspace.js';
import { runCliInProcess } from '../helpers/in-process-cli.js';
import { launchChromium } from '../publishing/helpers/browser.js';
import { opsConfig } from './helpers/configs.js';
import { header, request, type HttpResponse } from './helpers/http-client.js';
import { opsScope, startServeInProcess } from './helpers/ops-scope.js';

const scope = opsScope();
/**
 * Chromium puts an "XSLT is deprecated" banner into every page an XSL stylesheet renders; its
 * close button has an inline onclick, which any policy without 'unsafe-inline' scripts refuses:
 * a violation of Chromium's making, not of our pages, so the banner is turned off.
 */
const NO_XSLT_BANNER = '--disable-features=GenerateXSLTWarningBanner';
let browser: Browser | undefined;
afterAll(async () => browser?.close());

/**
 * A site published for the address serve listens on, so that the feeds' stylesheet links are
 * same-origin as browsers require: serve starts first (it serves whatever the folder holds),
 * then the config names its port and the run publishes.
 */
async function servedSite(): Promise<{ ws: Workspace; port: number; base: string }> {
  const ws = await scope.workspace({ config: opsConfig() });
  const { port } = await startServeInProcess(scope, ws);
  const base = `http://127.0.0.1:${port}/`;
  await writeConfig(ws.configPath, { ...opsConfig(), site: { url: base, title: 'feedmirror security headers', mirrors: [] } });
  const run = await runCliInProcess(['run', '--config', ws.configPath, '--log-format', 'json'], { cwd: ws.dir });
  if (run.code !== 0) throw new Error(`feedmirror run failed: ${run.stderr}`);
  return { ws, port, base };
}

/** The directives of a Content-Security-Policy header, by name. */
function directives(response: HttpResponse): Map<string, string[]> {
  const policy = header(response, 'content-security-policy');
  return new Map(policy.split(';').map((d) => d.trim().split(/\s+/)).map(([name, ...sources]) => [name!, sources]));
}

function expectCommonHeaders(response: HttpResponse, what: string): void {
  expect(header(response, 'x-content-type-options'), what).toBe('nosniff');
  expect(header(response, 'x-frame-options'), what).toBe('DENY');
  expect(header(response, 'referrer-policy'), what).toBe('no-referrer');
  const csp = directives(response);
  expect(csp.get('default-src'), what).toEqual(["'none'"]);
  expect(csp.get('frame-ancestors'), what).toEqual(["'none'"]);
  expect(csp.get('base-uri'), what).toEqual(["'none'"]);
  expect(csp.get('form-action'), what).toEqual(["'none'"]);
}

describe('serve: security headers on every response', () => {
  it('HTML: styles inline only, images from the site, no script; XML: the XSL (a script load) and CSS from the site only', async () => {
    const { port } = await servedSite();
    for (const target of ['/', '/index.html', `/articles/${SAMPLE_ID}.html`, '/nope.html']) {
      const response = await request(port, target);
      expectCommonHeaders(response, target);
      const csp = directives(response);
      expect(csp.get('style-src'), target).toEqual(["'unsafe-inline'"]);
      expect(csp.get('img-src'), target).toEqual(["'self'"]);
      expect(csp.has('script-src'), target).toBe(false);
    }
    for (const target of ['/all/rss.xml', '/all/atom.xml', '/feed.xsl']) {
      const response = await request(port, target);
      expectCommonHeaders(response, target);
      const csp = directives(response);
      expect(csp.get('script-src'), target).toEqual(["'self'"]);
      expect(csp.get('style-src'), target).toEqual(["'self'", "'unsafe-inline'"]);
    }
  });

  it('everything else (JSON, OPML, CSS, 304, HEAD, 405, gzip) gets the closed policy and the same headers', async () => {
    const { port } = await servedSite();
    const responses: [string, HttpResponse][] = [
      ['feed.json', await request(port, '/all/feed.json')],
      ['sources.opml', await request(port, '/sources.opml')],
      ['feed.css', await request(port, '/feed.css')],
      ['mirrors.json', await request(port, '/mirrors.json')],
      ['HEAD rss.xml', await request(port, '/all/rss.xml', { method: 'HEAD' })],
      ['gzip atom.xml', await request(port, '/all/atom.xml', { headers: { 'accept-encoding': 'gzip' } })],
      ['POST', await request(port, '/all/rss.xml', { method: 'POST' })],
      ['/healthz', await request(port, '/healthz')],
      ['/metrics', await request(port, '/metrics')],
    ];
    const etag = header(responses[0]![1], 'etag');
    responses.push(['304', await request(port, '/all/feed.json', { headers: { 'if-none-match': etag } })]);
    expect(responses.at(-1)![1].status).toBe(304);
    for (const [what, response] of responses) {
      expectCommonHeaders(response, what);
      if (!/rss|atom/.test(what)) expect([...directives(response).keys()].sort(), what).toEqual(['base-uri', 'default-src', 'form-action', 'frame-ancestors']);
    }
  });
});

describe('serve: our pages under that policy, in headless Chromium', () => {
  /** Opens `url`, and returns what the page shows and every CSP violation Chromium reported. */
  async function visit(url: string, probe: (page: Page) => Promise<string>): Promise<{ status: number | undefined; value: string; violations: string[] }> {
    browser ??= await launchChromium([NO_XSLT_BANNER]);
    const page = await browser.newPage();
    const violations: string[] = [];
    page.on('console', (message) => {
      if (/Content Security Policy/i.test(message.text())) violations.push(message.text());
    });
    try {
      const response = await page.goto(url);
      await page.waitForLoadState('load');
      return { status: response?.status(), value: await probe(page), violations };
    } finally {
      await page.close();
    }
  }

  const maxWidth = (selector: string) => (page: Page) => page.locator(selector).first().evaluate((el) => getComputedStyle(el).maxWidth);

  it('index.html, a feed\'s page, an article page and the 404 page render with their inline styles and report no violation', async () => {
    const { base } = await servedSite();
    // max-width is set only by each page's own <style>: without it, it would be "none"
    for (const [target, width] of [['', '832px'], ['all/', '736px'], [`articles/${SAMPLE_ID}.html`, '672px'], ['nope.html', '640px']] as const) {
      const seen = await visit(`${base}${target}`, maxWidth('body'));
      expect(seen.violations, target).toEqual([]);
      expect(seen.value, target).toBe(width);
    }
    const article = await visit(`${base}articles/${SAMPLE_ID}.html`, (page) => page.locator('h1').innerText());
    expect(article.value).toBe(SAMPLE_HEADLINE);
  });

  for (const file of ['rss.xml', 'atom.xml']) {
    it(`${file} is rendered by feed.xsl, styled, with no violation`, async () => {
      const { base } = await servedSite();
      const seen = await visit(`${base}all/${file}`, async (page) => `${await page.locator('p.about').innerText()} | ${await maxWidth('body')(page)}`);
      expect(seen.status).toBe(200);
      expect(seen.violations).toEqual([]);
      expect(seen.value).toContain('This is a web feed');
      expect(seen.value).toMatch(/\| 736px$/);
    });
  }

  it('a feed that names only feed.css (the fallback for browsers without XSLT) is styled by it, with no violation', async () => {
    const { ws, base } = await servedSite();
    const xml = `<?xml version="1.0" encoding="utf-8"?>\n<?xml-stylesheet href="${base}feed.css" type="text/css"?>\n<rss version="2.0"><channel><title>CSS only</title><link>${base}</link><description>d</description></channel></rss>\n`;
    await writeFile(path.join(ws.feedsDir, 'all', 'css-only.xml'), xml);
    const seen = await visit(`${base}all/css-only.xml`, maxWidth('rss'));
    expect(seen.violations).toEqual([]);
    expect(seen.value).toBe('736px');
  });

  it('the policy is enforced: a script the XSL page would not have is refused (the probe that proves violations are seen)', async () => {
    const { ws, base } = await servedSite();
    await writeFile(path.join(ws.feedsDir, 'probe.html'), '<!DOCTYPE html><html><head><title>probe</title></head><body><p id="p">static</p><script>document.getElementById("p").textContent = "ran"</script></body></html>\n');
    const seen = await visit(`${base}probe.html`, (page) => page.locator('#p').innerText());
    expect(seen.value).toBe('static');
    expect(seen.violations.length).toBeGreaterThan(0);
  });
});
