import { xmlElement, escapeXml } from './xml-text.js';
import { FEEDMIRROR_NS } from './feed-view.js';
import type { PublishInput } from './publish-types.js';
import type { SiteCopy } from './site-copies.js';

/**
 * OPML 2.0 of the remote sources, so a reader or another aggregator can subscribe to the same
 * set. Each outline carries the publisher's alternates as `feedmirror:mirrors` (space-separated
 * base URLs), so downstream tools can subscribe by any mirror. Seed folders are not feeds and are
 * left out. No date is written: unchanged sources give identical bytes.
 */
export function renderOpml(input: PublishInput, copy: SiteCopy): string {
  const mirrorsByHost = new Map((input.mirrorMap?.hosts ?? []).map((h) => [h.host, h.alternates.map((a) => a.url)]));
  const outlines = input.sources
    .filter((s) => s.kind === 'feed' && s.url)
    .map((s) => {
      const host = new URL(s.url!).host;
      const mirrors = mirrorsByHost.get(host) ?? mirrorsByHost.get(host.replace(/^www\./, '')) ?? [];
      return `    ${xmlElement('outline', {
        type: 'rss',
        text: s.title ?? s.id,
        title: s.title ?? s.id,
        xmlUrl: s.url,
        'feedmirror:id': s.id,
        'feedmirror:tags': s.tags.length > 0 ? s.tags.join(' ') : null,
        'feedmirror:mirrors': mirrors.length > 0 ? mirrors.join(' ') : null,
      })}`;
    });
  return [
    '<?xml version="1.0" encoding="utf-8"?>',
    `<opml version="2.0" xmlns:feedmirror="${FEEDMIRROR_NS}">`,
    '  <head>',
    `    <title>${escapeXml(`${input.site.title}: sources`)}</title>`,
    `    <docs>http://opml.org/spec2.opml</docs>`,
    '  </head>',
    '  <body>',
    ...outlines,
    '  </body>',
    '</opml>',
    '',
  ].join('\n');
}
