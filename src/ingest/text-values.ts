import type { TextValue } from '../model/parsed-feed.js';
import { looksLikeHtml } from '../lib/looks-like-html.js';

/** Text of a field whose format leaves its type open: HTML when it looks like HTML, else plain text. */
export function looseText(value: string | null | undefined): TextValue | null {
  if (!value?.trim()) return null;
  return { value, type: looksLikeHtml(value) ? 'html' : 'text' };
}

/** Text the format defines as plain (Atom person names and category labels): never read as markup. */
export function plainText(value: string | null | undefined): TextValue | null {
  return value?.trim() ? { value, type: 'text' } : null;
}
