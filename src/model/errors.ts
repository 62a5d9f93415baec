/**
 * Every error code feedmirror gives, with the stage it arises in and what it means. The codes are
 * stable: they are stored in source states (`lastErrorCode`), written to logs and matched on by
 * scripts, so one is never renamed. README.md's "Error codes" table is this table (a test holds
 * them equal); a code that is not here does not compile.
 */
export const ERROR_CODES = {
  FM_CONFIG: { stage: 'config', meaning: 'The config file cannot be read, is not JSON or breaks the schema, or `check` found a path it names unusable; each problem names the key path and what was expected. Nothing was done (exit 1).' },
  FM_USAGE: { stage: 'cli', meaning: 'A command cannot do what was asked: an unknown source id, an id or a feed URL already configured, a source an output still names, an option that needs another, an address that cannot be listened on. Nothing was done (exit 1).' },
  FM_DNS: { stage: 'fetch', meaning: "The feed's host name did not resolve." },
  FM_CONNECT: { stage: 'fetch', meaning: 'The connection was refused, reset or unreachable.' },
  FM_TLS: { stage: 'fetch', meaning: 'The TLS handshake or the certificate check failed.' },
  FM_TIMEOUT: { stage: 'fetch', meaning: 'Connecting, the response headers, a silence in the body or the whole fetch took longer than its `fetch.*TimeoutMs`.' },
  FM_HTTP_STATUS: { stage: 'fetch', meaning: 'The server answered with an error status; `status` shows it, and a `Retry-After` is honoured.' },
  FM_TOO_BIG: { stage: 'fetch', meaning: 'The body, as declared, as received or decompressed, is over `fetch.maxBodyBytes`.' },
  FM_REDIRECT_LOOP: { stage: 'fetch', meaning: 'A redirect led back to a URL already visited.' },
  FM_TOO_MANY_REDIRECTS: { stage: 'fetch', meaning: 'More than `fetch.maxRedirects` redirects.' },
  FM_BAD_REDIRECT: { stage: 'fetch', meaning: 'A redirect points at an invalid URL or a scheme other than http(s).' },
  FM_BLOCKED_ADDRESS: { stage: 'fetch', meaning: 'The host is, or resolves to, an address that is not public unicast while `fetch.allowPrivateNetworks` is off; refused before any connection.' },
  FM_PROXY: { stage: 'fetch', meaning: "The proxy (`fetch.proxy`, `fetch.torProxy` or the source's `proxy`) could not be reached, refused the credentials or the request, or answered the tunnel with an error of its own; the message names the proxy, its password replaced by `***`. A host the proxy could not reach is `FM_CONNECT`, a name it could not resolve `FM_DNS`." },
  FM_NEEDS_TOR: { stage: 'fetch', meaning: 'An onion (`.onion`) URL, reached through a redirect or a mirror list, cannot be fetched: `fetch.torProxy` is not set; a configured onion source or list without it is `FM_CONFIG`.' },
  FM_BAD_URL: { stage: 'fetch', meaning: "The source's URL is invalid or not http(s)." },
  FM_DECODE: { stage: 'fetch', meaning: 'The compressed body is corrupt.' },
  FM_ABORTED: { stage: 'fetch', meaning: "The fetch was cut short by a shutdown: not counted as the source's failure, and the source stays due." },
  FM_NETWORK: { stage: 'fetch', meaning: "Any other network failure (the system's code is in the message)." },
  FM_PARSE: { stage: 'ingest', meaning: 'The body cannot be read as a feed: XML not well-formed, invalid JSON, JSON that is not a JSON Feed, elements nested too deep.' },
  FM_NOT_A_FEED: { stage: 'ingest', meaning: 'The body is not a feed: an HTML page that advertises none (or whose advertised feed is a page too), an image, JSON of another kind.' },
  FM_ITEMS_SKIPPED: { stage: 'ingest', meaning: "A warning: the parse left items out (over `limits.maxItemsPerSource`, or invalid); one per source, shown as `status`'s LAST WARNING." },
  FM_PAGE_NOT_HTML: { stage: 'ingest', meaning: "A warning: full text: the item's page is not HTML (its Content-Type says so); the item keeps its feed content." },
  FM_PAGE_TOO_COMPLEX: { stage: 'ingest', meaning: "A warning: full text: the item's page nests elements deeper than 200 levels or holds more than 20,000 of them, and is not parsed; the item keeps its feed content." },
  FM_NO_ARTICLE: { stage: 'ingest', meaning: "A warning: full text: no article was found in the item's page (nothing matched `fullText.selector`, Readability found none, or it was no longer than the feed's own content); the item keeps its feed content." },
  FM_OPML: { stage: 'ingest', meaning: '`import-opml`: the file cannot be read, is not well-formed XML or is not OPML. Nothing was imported (exit 1).' },
  FM_MIRROR_LIST: { stage: 'ingest', meaning: 'A mirror list cannot be read or is not a bypass-mirrors list: a warning, and the last good copy of a fetched list is used.' },
  FM_SEED_FOLDER: { stage: 'seeds', meaning: 'A seeds folder cannot be listed: the source fails, the others are published.' },
  FM_SEED_OUTSIDE: { stage: 'seeds', meaning: 'A seed is a link leading outside its seeds folder: not read.' },
  FM_SEED_NOT_FILE: { stage: 'seeds', meaning: 'A `*.txt` in the seeds folder is not a regular file (a folder, a FIFO, a socket, a device): not read.' },
  FM_SEED_TOO_BIG: { stage: 'seeds', meaning: 'A seed is over 5,000,000 bytes, or grew past that while being read: not read.' },
  FM_SEED_UNREADABLE: { stage: 'seeds', meaning: "A seed cannot be read (the system's code, such as EACCES, is in the message)." },
  FM_SEED_CHANGED: { stage: 'seeds', meaning: 'A seed became a link, or its link led elsewhere, between listing the folder and opening it: not read this run, checked again on the next.' },
  FM_SEED_EMPTY: { stage: 'seeds', meaning: 'A seed is empty or holds only whitespace.' },
  FM_SEED_BINARY: { stage: 'seeds', meaning: 'A seed looks binary (NUL or many control bytes), not a text article.' },
  FM_SEED_NOT_UTF8: { stage: 'seeds', meaning: 'A seed is not valid UTF-8; the message gives the offset of the first bad byte.' },
  FM_SEED_NO_HEADLINE: { stage: 'seeds', meaning: 'A seed has no headline on its first line.' },
  FM_SEED_DUPLICATE_ID: { stage: 'seeds', meaning: 'Two seed files of one folder give the same article id: the first is kept.' },
  FM_STORE: { stage: 'store', meaning: "The store cannot be opened, or was written by a newer feedmirror. Nothing was published (exit 2). In a fleet worker's log (`store-unreachable`, PostgreSQL): the database could not be reached; the worker stays up and tries again every 5 s." },
  FM_PUBLISH: { stage: 'publish', meaning: 'The output folder cannot be written; the previous feed files are untouched (exit 2).' },
  FM_S3: { stage: 'publish', meaning: 'An `s3://` outputDir could not be written: the bucket is missing, the endpoint refused the connection, access was denied, or the service answered another error; the message names the bucket, the key and the S3 error. Files that went up are kept and recorded; the others are tried again by the next run (exit 2). Missing AWS credentials are `FM_CONFIG`.' },
  FM_SOURCES_FAILED: { stage: 'cli', meaning: '`run --strict`: a source failed this run; the message names each with its code. The others were published (exit 4).' },
  FM_LOCK_ABORTED: { stage: 'schedule', meaning: 'A shutdown stopped a run that was waiting for the run lock.' },
  FM_CHORE_COORDINATOR: { stage: 'schedule', meaning: 'A fire of a fleet chore (PostgreSQL) was skipped on this worker because the coordinator could not reach the database; it may have run on no worker. Chores are driven by the store, so the next fire makes up for it.' },
  FM_CHORE_FAILED: { stage: 'schedule', meaning: 'A fleet chore (`site`, `housekeeping`) ran and failed; recorded in `chore_runs` and tried again at its next fire.' },
  FM_CLOCK_SKEW: { stage: 'schedule', meaning: "This host's clock is off from the PostgreSQL server's: over 1 s a warning; over 60 s this worker takes no part in the fleet's chores (fetching goes on). Fix NTP." },
  FM_SITE_URL_MISMATCH: { stage: 'serve', meaning: 'A warning: `site.url` is an address that is not the one `serve` listens on (another port, https, a loopback address while listening on every interface), so feeds opened here link away from it.' },
  FM_ACCESS_LOG: { stage: 'serve', meaning: '`serve --access-log`: the file cannot be opened for appending, so `serve` does not start (exit 1).' },
} as const satisfies Record<`FM_${string}`, { stage: Stage; meaning: string }>;

/**
 * Where an error arises: `fetch` is HTTP, `seeds` reading and decoding seed files, `ingest`
 * parsing feeds and the other documents feedmirror reads.
 */
export type Stage = 'config' | 'cli' | 'fetch' | 'seeds' | 'ingest' | 'store' | 'publish' | 'schedule' | 'serve';

export type ErrorCode = keyof typeof ERROR_CODES;

/** The codes that arise in one stage. */
export type StageCode<S extends Stage> = { [C in ErrorCode]: (typeof ERROR_CODES)[C]['stage'] extends S ? C : never }[ErrorCode];

/** The base of every error feedmirror throws: a stable code from ERROR_CODES and the stage it belongs to. */
export class FeedmirrorError extends Error {
  readonly stage: Stage;

  constructor(
    readonly code: ErrorCode,
    message: string,
    options?: ErrorOptions,
  ) {
    super(message, options);
    this.name = new.target.name;
    this.stage = ERROR_CODES[code].stage;
  }
}
