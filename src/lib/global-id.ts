/**
 * A guid that names itself globally (a URL, urn:, tag:) can identify the same article in two
 * feeds; "12345" is only unique inside one feed. Our own generated URNs never match across sources.
 */
export function isGlobalId(guid: string): boolean {
  return /^(?:https?:\/\/[^/\s]+|urn:[a-z0-9-]+:|tag:[^,\s]+,\d{4})/i.test(guid) && !guid.startsWith('urn:feedmirror:');
}
