import { z } from 'zod';
import { validateDetailed } from 'node-cron';
import { checkFolderIds, checkMirrorFolders, checkSiteMirrorHost, reportDuplicates } from './folder-names.js';
import { configErrorMap } from './issue-text.js';
import { isOtherUrl } from '../lib/database-url.js';
import { checkOnionUrls, noProxyEntry, proxyUrl, sourceProxy, torProxyUrl } from './proxy-settings.js';
import { isCssSelector } from './css-selector.js';
import { CLUSTER_DEFAULTS, CLUSTER_KNOWN_KEYS, clusterSchema } from './cluster-schema.js';
import { duration } from './duration.js';

export { durationMs } from './duration.js';

/** Ids appear in file paths and URLs, so they are kept to a safe alphabet. */
const ID_PATTERN = /^[a-z0-9][a-z0-9_-]{0,63}$/i;
/** zod's httpUrl() refuses IP and localhost hosts, which self-hosted feeds and tests use. */
const httpUrl = (error: string) => z.url({ protocol: /^https?$/, error });

/** Whether a value is what the config takes as a feed's URL (an absolute http(s) URL). */
export function isHttpUrl(value: string): boolean {
  return httpUrl('').safeParse(value).success;
}

/** Whether a value can be an id (of a source, an output, a variant), as the config schema requires. */
export function isValidId(value: string): boolean {
  return ID_PATTERN.test(value);
}

const id = z.string().regex(ID_PATTERN, 'an id of letters, digits, "-" or "_" (at most 64, starting with a letter or digit)');

/** A mirror is a bare host ("example.net") or a base URL ("https://example.net/", "http://x.onion/"). */
const mirror = z.string().refine(isMirrorSpec, 'a host name or an http(s) base URL');

export function isMirrorSpec(value: string): boolean {
  if (/^[a-z0-9.-]+(:\d+)?$/i.test(value)) return value.includes('.');
  try {
    const url = new URL(value);
    return (url.protocol === 'http:' || url.protocol === 'https:') && url.hostname !== '';
  } catch {
    return false;
  }
}

/**
 * A BCP 47 language tag (Intl parses it) whose language is an ISO 639 code of 2 or 3 letters: what
 * RSS <language> and xml:lang carry, and what feed validators check ("en", "pt-BR", "zh-Hant-TW").
 */
const language = z.string().refine((tag) => {
  try {
    return Intl.getCanonicalLocales(tag).length === 1 && /^[a-z]{2,3}(?:-|$)/i.test(tag);
  } catch {
    return false;
  }
}, 'a language tag such as "en" or "pt-BR"');

const siteSchema = z.strictObject({
  url: httpUrl('an absolute http(s) URL where the output folder is served'),
  title: z.string().min(1).default('feedmirror'),
  description: z.string().optional(),
  language: language.optional(),
  /** Each copy is written to mirrors/<host>/, so the host must make a safe folder name. */
  mirrors: z.array(httpUrl('an absolute http(s) URL of a copy of the site').superRefine(checkSiteMirrorHost)).default([]),
  /** WebSub: feeds name this hub, and it is pinged after a publish that changed a feed. */
  websub: z.strictObject({ hub: httpUrl('an absolute http(s) URL of a WebSub hub') }).optional(),
});

const cronExpression = z.string().superRefine((value, ctx) => {
  const result = validateDetailed(value);
  if (!result.valid) ctx.addIssue({ code: 'custom', message: `a cron expression (${result.errors.map((e) => `${e.field}: ${e.message}`).join('; ') || 'invalid'})` });
});

const timezone = z.string().refine((tz) => {
  try {
    new Intl.DateTimeFormat('en', { timeZone: tz });
    return true;
  } catch {
    return false;
  }
}, 'an IANA time zone such as "UTC" or "Europe/Berlin"');

export const SCHEDULE_DEFAULTS = { cron: '*/15 * * * *', timezone: 'UTC' };

const scheduleSchema = z
  .strictObject({
    /** When the daemon (and `serve --schedule`) runs: a cron expression (5 or 6 fields). */
    cron: cronExpression,
    timezone,
  })
  .partial()
  .transform((value) => ({ ...SCHEDULE_DEFAULTS, ...value }));

/** Fetch settings; every duration is in milliseconds and every size in bytes, as the key names say. */
const fetchFields = {
  connectTimeoutMs: z.number().int().min(100).max(600_000),
  headersTimeoutMs: z.number().int().min(100).max(600_000),
  bodyIdleTimeoutMs: z.number().int().min(100).max(600_000),
  totalTimeoutMs: z.number().int().min(100).max(3_600_000),
  maxBodyBytes: z.number().int().min(1024).max(1_000_000_000),
};

export const FETCH_DEFAULTS = {
  connectTimeoutMs: 10_000,
  headersTimeoutMs: 30_000,
  bodyIdleTimeoutMs: 30_000,
  totalTimeoutMs: 60_000,
  maxBodyBytes: 10_000_000,
  maxRedirects: 5,
  concurrency: 16,
  perHostConcurrency: 2,
  allowPrivateNetworks: false,
  noProxy: [] as string[],
};

const fetchSchema = z
  .strictObject({
    ...fetchFields,
    maxRedirects: z.number().int().min(0).max(20),
    concurrency: z.number().int().min(1).max(256),
    perHostConcurrency: z.number().int().min(1).max(64),
    allowPrivateNetworks: z.boolean(),
    userAgent: z.string().min(1).optional(),
    /** Every fetch goes through this proxy (http:// with CONNECT, socks5://, socks5h://). */
    proxy: proxyUrl.optional(),
    /** .onion hosts are fetched through this proxy (socks5h:// or http://: Tor resolves onion names). */
    torProxy: torProxyUrl.optional(),
    /** Hosts fetched directly even with a proxy: host suffixes ("example.org" covers its subdomains), IPs, CIDR ranges, "*". */
    noProxy: z.array(noProxyEntry),
  })
  .partial()
  .transform((value) => ({ ...FETCH_DEFAULTS, ...value }));

export const LIMIT_DEFAULTS = { maxItemsPerSource: 500, maxTitleChars: 500, maxContentBytes: 262_144, maxPageBytes: 2_000_000 };

const limitsSchema = z
  .strictObject({
    maxItemsPerSource: z.number().int().min(1).max(100_000),
    maxTitleChars: z.number().int().min(10).max(100_000),
    maxContentBytes: z.number().int().min(1024).max(10_000_000),
    /** bytes of an article page read before it is parsed for full text; the rest is cut */
    maxPageBytes: z.number().int().min(1024).max(100_000_000),
  })
  .partial()
  .transform((value) => ({ ...LIMIT_DEFAULTS, ...value }));

const seedSourceSchema = z.strictObject({
  id,
  seeds: z.string().min(1),
  title: z.string().optional(),
  mirrors: z.array(mirror).default([]),
  tags: z.array(z.string()).default([]),
});

export const FULL_TEXT_DEFAULTS = { selector: null, minChars: 500, maxPerRun: 50 };

/**
 * Full text: `true`, or the options. Normalized to the options or null (off), so the rest of the
 * program never sees the boolean.
 */
const fullTextOptions = z.strictObject({
  /** A CSS selector for the article body; without it, Readability finds it. */
  selector: z.string().min(1).refine(isCssSelector, 'a CSS selector such as "article .body"').optional(),
  /** Items whose own content has fewer characters of text than this get their page fetched. */
  minChars: z.number().int().min(0).max(1_000_000).optional(),
  /** Pages fetched per source and run at most: a first run of a long feed stays polite. */
  maxPerRun: z.number().int().min(0).max(10_000).optional(),
});

/**
 * Full text: `true`, or the options, normalized to the options or null (off) so that the rest of
 * the program never sees the boolean. Checked by hand rather than as a union, whose errors would
 * say "Invalid input" instead of naming the key that is wrong.
 */
const fullTextSchema = z.unknown().default(false).transform((value, ctx): FullTextSettings | null => {
  if (value === undefined || value === false) return null;
  if (value === true) return { ...FULL_TEXT_DEFAULTS };
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    ctx.addIssue({ code: 'custom', message: 'true, false, or { "selector", "minChars", "maxPerRun" }' });
    return null;
  }
  const result = fullTextOptions.safeParse(value);
  if (result.success) return { ...FULL_TEXT_DEFAULTS, ...result.data };
  for (const issue of result.error.issues) ctx.addIssue({ ...issue, code: 'custom', message: issue.code === 'unrecognized_keys' ? `${issue.message} (expected one of: selector, minChars, maxPerRun)` : issue.message });
  return null;
});

export interface FullTextSettings {
  selector: string | null;
  minChars: number;
  maxPerRun: number;
}

/** Where readers load an item's images, video, audio and enclosures from (default: the publisher's own host). */
const mediaSchema = z.enum(['mirror', 'proxy'], { error: '"mirror" (the publisher\'s first https mirror) or "proxy" (feedmirror serve at /media/)' }).optional();

const feedSourceSchema = z.strictObject({
  id,
  url: httpUrl('an absolute http(s) URL of a feed'),
  title: z.string().optional(),
  mirrors: z.array(mirror).default([]),
  tags: z.array(z.string()).default([]),
  /** Overrides of the global fetch settings for this source only (the connect timeout belongs to the shared connection pool). */
  fetch: z.strictObject(fetchFields).omit({ connectTimeoutMs: true }).partial().default({}),
  /** Fetch at most this often ("30m", "2h"); by default on every run. */
  interval: duration.optional(),
  /** Or: fetch when this cron expression is due (in schedule.timezone). */
  schedule: cronExpression.optional(),
  /** This source's proxy instead of fetch.proxy (fetch.noProxy does not apply), or false / "direct" for none. */
  proxy: sourceProxy.optional(),
  fullText: fullTextSchema,
  media: mediaSchema,
});

type SourceOutput = z.output<typeof seedSourceSchema> | z.output<typeof feedSourceSchema>;

/**
 * A source is checked against the schema its keys announce ("url" → feed, "seeds" → folder), so
 * a typo inside one is reported at its own key, not as "matches neither kind".
 */
const sourceSchema = z.unknown().transform((value, ctx): SourceOutput => {
  const record = typeof value === 'object' && value !== null && !Array.isArray(value) ? (value as Record<string, unknown>) : null;
  if (record && 'url' in record && 'seeds' in record) {
    ctx.addIssue({ code: 'custom', message: 'exactly one of "seeds" (a folder) or "url" (a feed URL), not both' });
    return value as SourceOutput;
  }
  const schema = record && 'url' in record ? feedSourceSchema : record && 'seeds' in record ? seedSourceSchema : null;
  if (!schema) {
    ctx.addIssue({ code: 'custom', message: 'a source with an "id" and either "seeds" (a folder) or "url" (a feed URL)' });
    return value as SourceOutput; // not z.NEVER: the config-wide checks below still report their findings
  }
  // A parse of its own: the error map given to the config's parse does not reach it.
  const result = schema.safeParse(value, { error: configErrorMap });
  if (result.success) return result.data;
  for (const issue of result.error.issues) ctx.addIssue({ ...issue, code: 'custom', message: issue.code === 'unrecognized_keys' ? `${issue.message} (expected one of: ${Object.keys(schema.shape).join(', ')})` : issue.message });
  return value as SourceOutput;
});

const mirrorListSchema = z
  .strictObject({
    path: z.string().min(1).optional(),
    url: httpUrl('an absolute http(s) URL of a mirror list').optional(),
    refresh: duration.default('6h'),
  })
  .refine((list) => (list.path === undefined) !== (list.url === undefined), 'exactly one of "path" (a file) or "url"');

export const MEDIA_PROXY_DEFAULTS = { cacheDir: 'data/media', maxCacheBytes: 500_000_000, maxFileBytes: 20_000_000 };

/** `media: "proxy"`: where `feedmirror serve` keeps the media it fetched, and how much. */
const mediaProxySchema = z
  .strictObject({
    cacheDir: z.string().min(1),
    /** bytes on disk at most; the least recently served files go first */
    maxCacheBytes: z.number().int().min(1_000_000).max(1_000_000_000_000),
    /** bytes of one file at most (fetched with this as its maxBodyBytes) */
    maxFileBytes: z.number().int().min(1024).max(1_000_000_000),
  })
  .partial()
  .transform((value) => ({ ...MEDIA_PROXY_DEFAULTS, ...value }));

export const FORMATS = ['rss', 'atom', 'json'] as const;

const filterSchema = z.strictObject({
  /** Keep an item only if one of these words or phrases appears (whole words, any case). */
  include: z.array(z.string().min(1)).default([]),
  /** Drop an item if one of these appears. */
  exclude: z.array(z.string().min(1)).default([]),
  /** Where include/exclude look. */
  fields: z.array(z.enum(['title', 'content'])).min(1).default(['title', 'content']),
  /** Keep only items with one of these categories (any case). */
  categories: z.array(z.string().min(1)).default([]),
  /** Drop items older than this many days (by published date, at run time). */
  maxAgeDays: z.number().positive().optional(),
});

const personSchema = z.strictObject({ name: z.string().min(1), email: z.email('an e-mail address such as "editor@example.org"').optional(), url: httpUrl('an http(s) URL').optional() });

const outputSchema = z.strictObject({
  id,
  title: z.string().min(1),
  description: z.string().optional(),
  language: language.optional(),
  icon: httpUrl('an http(s) URL of a small square icon').optional(),
  logo: httpUrl('an http(s) URL of a logo image').optional(),
  author: personSchema.optional(),
  copyright: z.string().optional(),
  filter: filterSchema.optional(),
  /** RFC 5005 archives: items beyond `limit` stay reachable in pages that never change. false turns it off. */
  archive: z.union([z.literal(false), z.strictObject({ pageSize: z.number().int().min(1).max(10_000) })], { error: 'false, or { "pageSize": a whole number from 1 to 10000 }' }).optional(),
  sources: z.array(z.string().min(1)).min(1).default(['*']),
  limit: z.number().int().min(1).max(10_000).default(50),
  formats: z.array(z.enum(FORMATS)).min(1).default([...FORMATS]),
  /** Copies of this output whose links point at one kind of mirror (written to <output>/<variant id>/). */
  variants: z
    .array(z.strictObject({ id, kind: z.string().min(1).regex(/^[a-z0-9+-]+$/, 'a mirror kind such as "https", "tor", "ipfs"') }))
    .default([]),
  media: mediaSchema,
});

/** Keys each object accepts, for "unknown key" messages that say what was expected. */
export const KNOWN_KEYS: { path: RegExp; keys: string[] }[] = [
  { path: /^$/, keys: ['$schema', 'site', 'database', 'outputDir', 'fetch', 'limits', 'retention', 'mediaProxy', 'mirrorLists', 'schedule', 'cluster', 'sources', 'outputs'] },
  { path: /^site$/, keys: Object.keys(siteSchema.shape) },
  { path: /^outputs\.\d+$/, keys: Object.keys(outputSchema.shape) },
  { path: /^outputs\.\d+\.filter$/, keys: Object.keys(filterSchema.shape) },
  { path: /^outputs\.\d+\.author$/, keys: Object.keys(personSchema.shape) },
  { path: /^fetch$/, keys: [...Object.keys(FETCH_DEFAULTS), 'userAgent', 'proxy', 'torProxy'] },
  { path: /^limits$/, keys: Object.keys(LIMIT_DEFAULTS) },
  { path: /^mediaProxy$/, keys: Object.keys(MEDIA_PROXY_DEFAULTS) },
  { path: /^schedule$/, keys: Object.keys(SCHEDULE_DEFAULTS) },
  { path: /^mirrorLists\.\d+$/, keys: ['path', 'url', 'refresh'] },
  ...CLUSTER_KNOWN_KEYS,
];

export const configSchema = z
  .strictObject({
    $schema: z.string().optional(),
    site: siteSchema,
    database: z
      .string()
      .min(1)
      .refine((value) => !isOtherUrl(value), 'a SQLite file path, or a PostgreSQL URL (postgres://user@host:5432/dbname)')
      .default('data/feedmirror.db'),
    outputDir: z.string().min(1).default('feeds'),
    fetch: fetchSchema.default(FETCH_DEFAULTS),
    limits: limitsSchema.default(LIMIT_DEFAULTS),
    /** How long feed articles are kept: applied after each run and by `feedmirror prune`. Absent: forever. */
    retention: z.strictObject({ maxAgeDays: z.number().int().min(1).max(100_000).optional(), maxItemsPerSource: z.number().int().min(1).max(1_000_000).optional() }).optional(),
    mediaProxy: mediaProxySchema.default(MEDIA_PROXY_DEFAULTS),
    mirrorLists: z.array(mirrorListSchema).default([]),
    schedule: scheduleSchema.default(SCHEDULE_DEFAULTS),
    /** Several workers on one PostgreSQL store (ignored on SQLite). */
    cluster: clusterSchema.default(CLUSTER_DEFAULTS),
    sources: z.array(sourceSchema).default([]),
    outputs: z.array(outputSchema).min(1),
  })
  .superRefine((config, ctx) => {
    reportDuplicates(config.sources.map((s) => String(s?.id)), ['sources'], ctx);
    checkFolderIds(config.outputs.map((o) => String(o?.id)), ['outputs'], ctx);
    config.outputs.forEach((output, i) => {
      if (Array.isArray(output?.variants)) checkFolderIds(output.variants.map((v) => String(v?.id)), ['outputs', i, 'variants'], ctx);
    });
    if (Array.isArray(config.site?.mirrors)) checkMirrorFolders(config.site.mirrors, ctx);
    checkOnionUrls(config, ctx);
    // Only what a valid source offers: an id the schema refused is no answer to a typo.
    const known = new Set(config.sources.flatMap((s) => (typeof s?.id === 'string' && isValidId(s.id) ? [s.id, ...(Array.isArray(s.tags) ? s.tags : [])] : [])).filter((v): v is string => typeof v === 'string' && v !== ''));
    config.outputs.forEach((output, i) => {
      (Array.isArray(output?.sources) ? output.sources : []).forEach((ref, j) => {
        if (ref !== '*' && !known.has(ref)) {
          ctx.addIssue({
            code: 'custom',
            path: ['outputs', i, 'sources', j],
            message: `"${ref}" is not a source id or tag (known: ${[...known].join(', ') || 'none'}; or "*")`,
          });
        }
      });
    });
  },
  // Cross-checks run even when a source itself is invalid, so one `check` reports every mistake.
  { when: (payload) => typeof payload.value === 'object' && payload.value !== null && Array.isArray((payload.value as { sources?: unknown }).sources) && Array.isArray((payload.value as { outputs?: unknown }).outputs) },
  );

export type ParsedConfig = z.output<typeof configSchema>;
