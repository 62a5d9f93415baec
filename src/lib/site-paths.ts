/** Where things live inside the output folder; shared by the stage that links and the one that writes. */
export function seedPagePath(articleId: string): string {
  return `articles/${articleId}.html`;
}

/**
 * Names an output id or a variant id (each a folder) may not take: the output folder's own
 * folders (seed pages, site copies), an output's archive pages, and the paths `serve` answers
 * itself. Compared without case: on some file systems "Articles" is "articles".
 */
export const RESERVED_FOLDER_NAMES = ['articles', 'mirrors', 'archive', 'healthz', 'metrics'];

export function isReservedFolderName(id: string): boolean {
  return RESERVED_FOLDER_NAMES.includes(id.toLowerCase());
}

/**
 * Dot-separated labels of letters, digits, "-" and "_" (a host name, an IPv4 address, with a
 * port as "_8080"), or a bracketed IPv6 address: never ".", "..", an empty label or a separator.
 */
const SAFE_HOST_FOLDER = /^(?:[a-z0-9_-]+(?:\.[a-z0-9_-]+)*|\[[0-9a-f_.]+\](?:_\d{1,5})?)$/;
const MAX_FOLDER_NAME = 255; // bytes: the usual file-name limit

/**
 * The folder of a site mirror's copy, `mirrors/<host>/` with "host:port" as "host_port"; null
 * when the host cannot name a folder safely ("..", ".", "*.example", "a..b"), so no derivation
 * can lead out of `mirrors/`.
 */
export function mirrorCopyDir(host: string): string | null {
  const folder = host.toLowerCase().replace(/:/g, '_');
  return SAFE_HOST_FOLDER.test(folder) && folder.length <= MAX_FOLDER_NAME ? `mirrors/${folder}/` : null;
}
