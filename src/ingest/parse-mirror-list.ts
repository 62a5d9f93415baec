import { z } from 'zod';
import type { MirrorAlternate, MirrorSite } from '../model/mirror-directory.js';
import { parseFeedDate } from '../lib/parse-date.js';
import { mirrorKind } from '../lib/mirror-hosts.js';
import { FeedmirrorError } from '../model/errors.js';

/**
 * The bypass-mirrors format. v2: sites[].available_alternatives[] with proto/type/url/timestamps;
 * v1: sites[].available_mirrors[] (https) and available_onions[] (tor). Both carry main_domain.
 */
const alternateV2 = z.object({
  proto: z.string().optional(),
  type: z.string().optional(),
  url: z.string().nullable().optional(),
  created_at: z.string().nullable().optional(),
  updated_at: z.string().nullable().optional(),
});
const site = z.object({
  main_domain: z.string().min(1),
  available_alternatives: z.array(alternateV2).optional(),
  available_mirrors: z.array(z.string()).optional(),
  available_onions: z.array(z.string()).optional(),
});
const list = z.object({ version: z.union([z.string(), z.number()]).optional(), sites: z.array(z.unknown()) });

export interface ParsedMirrorList {
  sites: MirrorSite[];
  /** One line per entry that was skipped (empty URL, bad site), for a warning. */
  skipped: string[];
}

export function parseMirrorList(text: string, name: string): ParsedMirrorList {
  let raw: unknown;
  try {
    raw = JSON.parse(text.replace(/^\uFEFF/, ''));
  } catch (error) {
    throw new FeedmirrorError('FM_MIRROR_LIST', `mirror list ${name}: invalid JSON: ${(error as Error).message}`);
  }
  const parsed = list.safeParse(raw);
  if (!parsed.success) throw new FeedmirrorError('FM_MIRROR_LIST', `mirror list ${name}: not a bypass-mirrors list (expected { "sites": [ … ] })`);
  const sites: MirrorSite[] = [];
  const skipped: string[] = [];
  parsed.data.sites.forEach((value, i) => {
    const entry = site.safeParse(value);
    if (!entry.success) {
      skipped.push(`sites[${i}]: ${entry.error.issues[0]?.message ?? 'invalid'}`);
      return;
    }
    const alternates = alternatesOf(entry.data, name, (reason) => skipped.push(`sites[${i}] (${entry.data.main_domain}): ${reason}`));
    sites.push({ mainDomain: normalizeHost(entry.data.main_domain), alternates });
  });
  return { sites, skipped };
}

type SiteEntry = z.infer<typeof site>;

function alternatesOf(entry: SiteEntry, listName: string, skip: (reason: string) => void): MirrorAlternate[] {
  const out: MirrorAlternate[] = [];
  const add = (url: string | null | undefined, proto: string | undefined, type: string | null, updatedAt: string | null) => {
    const base = toBase(url);
    if (!base) return skip(`${url ? `unusable URL ${JSON.stringify(url)}` : 'an alternate with an empty URL'} skipped`);
    const kind = proto === 'tor' || base.hostname.endsWith('.onion') ? 'tor' : proto === 'ipfs' ? 'ipfs' : mirrorKind(base);
    out.push({ url: base.href, kind, type, updatedAt, list: listName });
  };
  for (const alt of entry.available_alternatives ?? []) {
    // The list mixes "2022-03-09 12:47:07.607398+00:00" and "2026-05-19T18:41:02.660906+00:00".
    add(alt.url, alt.proto, alt.type ?? null, parseFeedDate(alt.updated_at) ?? parseFeedDate(alt.created_at));
  }
  for (const url of entry.available_mirrors ?? []) add(url, 'https', 'mirror', null);
  for (const url of entry.available_onions ?? []) add(url, 'tor', 'onion', null);
  return out;
}

function toBase(url: string | null | undefined): URL | null {
  const trimmed = url?.trim();
  if (!trimmed) return null;
  try {
    // A bare onion host is http: onion services are end-to-end encrypted and rarely have certificates.
    const scheme = /\.onion(?::\d+)?\/?$/i.test(trimmed) ? 'http' : 'https';
    const parsed = new URL(/^[a-z][a-z0-9+.-]*:\/\//i.test(trimmed) ? trimmed : `${scheme}://${trimmed}`);
    if (parsed.protocol !== 'http:' && parsed.protocol !== 'https:') return null;
    if (!parsed.pathname.endsWith('/')) parsed.pathname += '/';
    parsed.search = '';
    parsed.hash = '';
    return parsed;
  } catch {
    return null;
  }
}

function normalizeHost(host: string): string {
  return host.trim().toLowerCase().replace(/^https?:\/\//, '').replace(/\/.*$/, '');
}
