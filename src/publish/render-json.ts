import { itemUpdated, type FeedView, type ItemView } from './feed-view.js';

const JSON_FEED_VERSION = 'https://jsonfeed.org/version/1.1';

/**
 * JSON Feed 1.1, written from our own data: `feed` writes 1.0 (one `author`, no `language`, no
 * attachments), and with the 1.1 fields and our items set nothing of its output would be left.
 */
export function renderJson(view: FeedView): string {
  const out = {
    version: JSON_FEED_VERSION,
    title: view.title,
    ...(view.homeUrl ? { home_page_url: view.homeUrl } : {}),
    feed_url: view.selfUrls.json,
    ...(view.description ? { description: view.description } : {}),
    ...(view.history.prevArchive ? { next_url: view.history.prevArchive.json } : {}),
    ...(view.logo ? { icon: view.logo } : {}),
    ...(view.icon ? { favicon: view.icon } : {}),
    ...(view.language ? { language: view.language } : {}),
    authors: [{ name: view.author.name, ...(view.author.url ? { url: view.author.url } : {}) }],
    ...(view.hub ? { hubs: [{ type: 'WebSub', url: view.hub }] } : {}),
    _feedmirror: { mirrors: view.copies.map((copy) => copy.url.json) },
    items: view.items.map(toJsonItem),
  };
  return `${JSON.stringify(out, null, 2)}\n`;
}

function toJsonItem(item: ItemView): Record<string, unknown> {
  const { article } = item;
  const image = item.images.find((img) => img.url !== null)?.url;
  return {
    id: item.ids.guid,
    ...(item.link ? { url: item.link } : {}),
    title: article.title,
    content_html: item.contentHtml,
    ...(article.summary ? { summary: article.summary } : {}),
    ...(image ? { image } : {}),
    date_published: new Date(article.published).toISOString(),
    date_modified: new Date(itemUpdated(article)).toISOString(),
    ...(article.authors.length > 0 ? { authors: article.authors.map((a) => ({ name: a.name, ...(a.url ? { url: a.url } : {}) })) } : {}),
    ...(article.categories.length > 0 ? { tags: article.categories } : {}),
    ...(article.language ? { language: article.language } : {}),
    ...(item.enclosures.length > 0
      ? { attachments: item.enclosures.map((e) => ({ url: e.url, mime_type: e.type ?? 'application/octet-stream', ...(e.length ? { size_in_bytes: e.length } : {}) })) }
      : {}),
    _feedmirror: {
      source: item.source.id,
      mirrors: item.mirrors.map((m) => ({ url: m.url, kind: m.kind, source: m.origin })),
      publisher: article.publisher,
      content_hash: { algorithm: 'sha256', value: article.contentHash },
    },
  };
}
