/**
 * Opens a feed URL in headless Chromium (Debian's /usr/bin/chromium, driven by playwright-core)
 * and saves a PNG of what a person sees: with the XSL stylesheet, a readable page instead of raw
 * XML. For reviewing feed.xsl by eye; the automated check is tests/publishing/browser-view.test.ts.
 *
 *   npm run screenshot -- http://127.0.0.1:8080/all/rss.xml rss.png
 *   node --import tsx scripts/screenshot-feed.ts <feedUrl> <out.png> [--width=PX] [--height=PX]
 *
 * The stylesheet href in a feed is absolute on site.url, so serve the output folder at that
 * address. Chromium opens only the URL given (and what the page itself loads): its background
 * traffic is switched off. Exit code: 0 saved; 1 bad usage; 2 Chromium missing or the page failed.
 */
import { access, constants } from 'node:fs/promises';
import path from 'node:path';
import { chromium } from 'playwright-core';

const CHROMIUM_PATH = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';
/** The same flags as the browser test: no sandbox (containers), no traffic of Chromium's own. */
const CHROMIUM_ARGS = ['--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'];
/** A phone-sized width shows whether the page reads on a small screen; override with --width. */
const DEFAULT_VIEWPORT = { width: 390, height: 844 }; // CSS pixels
const NAVIGATION_TIMEOUT_MS = 30_000;
const USAGE = 'usage: node --import tsx scripts/screenshot-feed.ts <feedUrl> <out.png> [--width=PX] [--height=PX]';

interface Options {
  url: string;
  out: string;
  viewport: { width: number; height: number };
}

class UsageError extends Error {}

function parseArgs(argv: string[]): Options {
  const positional = argv.filter((a) => !a.startsWith('--'));
  const flag = (name: string) => argv.find((a) => a.startsWith(`--${name}=`))?.split('=')[1];
  if (positional.length !== 2) throw new UsageError(USAGE);
  const [url, out] = positional as [string, string];
  if (!/^https?:\/\//i.test(url)) throw new UsageError(`not an http(s) URL: ${url}\n${USAGE}`);
  if (!out.toLowerCase().endsWith('.png')) throw new UsageError(`the output file must end in .png: ${out}\n${USAGE}`);
  const size = (value: string | undefined, fallback: number) => {
    if (value === undefined) return fallback;
    const n = Number(value);
    if (!Number.isInteger(n) || n < 100 || n > 10_000) throw new UsageError(`a size in CSS pixels (100-10000): ${value}`);
    return n;
  };
  return { url, out: path.resolve(out), viewport: { width: size(flag('width'), DEFAULT_VIEWPORT.width), height: size(flag('height'), DEFAULT_VIEWPORT.height) } };
}

async function screenshotFeed({ url, out, viewport }: Options): Promise<void> {
  await access(CHROMIUM_PATH, constants.X_OK).catch(() => {
    throw new Error(`Chromium not found at ${CHROMIUM_PATH} (install the Debian package chromium, or set CHROMIUM_PATH)`);
  });
  const browser = await chromium.launch({ executablePath: CHROMIUM_PATH, args: CHROMIUM_ARGS });
  try {
    const page = await browser.newPage({ viewport });
    const response = await page.goto(url, { waitUntil: 'load', timeout: NAVIGATION_TIMEOUT_MS });
    if (!response) throw new Error(`no response for ${url}`);
    if (!response.ok()) throw new Error(`${url} answered HTTP ${response.status()}`);
    await page.screenshot({ path: out, fullPage: true });
    const rendered = await page.evaluate(() => document.querySelector('p.about') !== null);
    process.stdout.write(`saved ${out} (${viewport.width}px wide${rendered ? '' : '; the feed.xsl page did not render, this is the raw document'})\n`);
  } finally {
    await browser.close();
  }
}

async function main(): Promise<number> {
  let options: Options;
  try {
    options = parseArgs(process.argv.slice(2));
  } catch (error) {
    process.stderr.write(`screenshot-feed: ${(error as Error).message}\n`);
    return 1;
  }
  try {
    await screenshotFeed(options);
    return 0;
  } catch (error) {
    process.stderr.write(`screenshot-feed: ${(error as Error).message.split('\n')[0]}\n`);
    return 2;
  }
}

process.exitCode = await main();
