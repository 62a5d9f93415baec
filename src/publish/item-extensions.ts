import type { ItemView } from './feed-view.js';
import { escapeXml, xmlElement } from './xml-text.js';
import { uriOf } from './published-values.js';

/**
 * RFC 6249 "duplicate": an identical copy of the resource on another host. Written as the
 * registered short name; Atom readers treat it the same as the full IANA URI.
 */
export const DUPLICATE_REL = 'duplicate';

/**
 * What RSS and Atom items both carry beyond the standard elements: a link per mirror URL,
 * the content hash for integrity checks on third-party copies, and the publisher with its hosts.
 */
export function itemExtensionLines(item: ItemView, linkElement: string, prefix: string): string[] {
  const { article } = item;
  const lines = item.mirrors.flatMap((mirror) => {
    const href = uriOf(mirror.url);
    return href ? [xmlElement(linkElement, { rel: DUPLICATE_REL, href })] : [];
  });
  lines.push(xmlElement(`${prefix}hash`, { algorithm: 'sha256' }, article.contentHash));
  if (article.publisher) {
    const hosts = article.publisher.hosts.map((host) => `  ${xmlElement(`${prefix}host`, {}, host)}`);
    lines.push(`<${prefix}publisher name="${escapeXml(article.publisher.name)}">`, ...hosts, `</${prefix}publisher>`);
  }
  return lines;
}

