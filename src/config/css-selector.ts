import { parseHtmlDocument } from '../lib/html-dom.js';

/**
 * Whether linkedom, which runs the selector at extraction time, accepts it. (linkedom is loaded
 * only when a config names a selector.)
 */
export function isCssSelector(selector: string): boolean {
  if (selector.trim() === '') return false;
  try {
    parseHtmlDocument('<p></p>').querySelector(selector);
    return true;
  } catch {
    return false;
  }
}
