/** Small feed documents written inline, for cases that vary one thing at a time. */

export interface RssItemSpec {
  title?: string;
  link?: string;
  guid?: string;
  /** Written as <guid isPermaLink="false"> when false. */
  guidIsPermaLink?: boolean;
  pubDate?: string;
  description?: string;
  /** Raw XML appended inside <item>. */
  extra?: string;
}

const RSS_NAMESPACES =
  'xmlns:content="http://purl.org/rss/1.0/modules/content/" xmlns:dc="http://purl.org/dc/elements/1.1/" ' +
  'xmlns:media="http://search.yahoo.com/mrss/" xmlns:itunes="http://www.itunes.com/dtds/podcast-1.0.dtd" xmlns:atom="http://www.w3.org/2005/Atom"';

export function rssFeed(items: RssItemSpec[], channel: { title?: string; link?: string; extra?: string } = {}): string {
  const itemXml = items.map((item) =>
    [
      '    <item>',
      item.title !== undefined ? `      <title>${item.title}</title>` : null,
      item.link !== undefined ? `      <link>${item.link}</link>` : null,
      item.guid !== undefined ? `      <guid${item.guidIsPermaLink === false ? ' isPermaLink="false"' : ''}>${item.guid}</guid>` : null,
      item.pubDate !== undefined ? `      <pubDate>${item.pubDate}</pubDate>` : null,
      item.description !== undefined ? `      <description>${item.description}</description>` : null,
      item.extra ?? null,
      '    </item>',
    ]
      .filter((line) => line !== null)
      .join('\n'),
  );
  return [
    '<?xml version="1.0" encoding="UTF-8"?>',
    `<rss version="2.0" ${RSS_NAMESPACES}>`,
    '  <channel>',
    `    <title>${channel.title ?? 'Fixture feed'}</title>`,
    `    <link>${channel.link ?? 'http://example.com/'}</link>`,
    '    <description>A fixture feed</description>',
    channel.extra ?? '',
    ...itemXml,
    '  </channel>',
    '</rss>',
    '',
  ].join('\n');
}

/** Items "Item 1" … "Item n" with distinct links, guids and dates (newest first). */
export function numberedItems(count: number, prefix = 'http://example.com/posts/'): RssItemSpec[] {
  return Array.from({ length: count }, (_, i) => {
    const n = count - i;
    return {
      title: `Item ${n}`,
      link: `${prefix}${n}`,
      guid: `${prefix}${n}`,
      pubDate: new Date(Date.UTC(2025, 0, n, 12)).toUTCString(),
      description: `Body of item ${n}`,
    };
  });
}

export function atomFeed(entries: string[], head = ''): string {
  return [
    '<?xml version="1.0" encoding="utf-8"?>',
    '<feed xmlns="http://www.w3.org/2005/Atom">',
    '  <title>Fixture Atom feed</title>',
    '  <id>urn:uuid:60a76c80-d399-11d9-b93c-0003939e0af6</id>',
    '  <updated>2025-06-01T00:00:00Z</updated>',
    head,
    ...entries,
    '</feed>',
    '',
  ].join('\n');
}
