import { z } from 'zod';
import { ERROR_CODES, type ErrorCode } from '../model/errors.js';
import type { CachedDocument } from '../store/store.js';

/**
 * What a run leaves for the next one so that unchanged work is not done again: what each feed's
 * last harvest stored, what each seeds folder looked like, what the last publish was made from
 * and wrote. They only ever save work, so this one module decides when one is no longer to be
 * trusted, and then reads it as missing and the work is simply done again:
 * - a record written by another build of feedmirror (see buildId: the code that would redo the
 *   work may have changed, whatever the version number says);
 * - every record, when the run is told to refresh (`run --refresh`);
 * - a record that is missing, not JSON, or not of its kind's shape (damaged, or written by an
 *   older release).
 * Each is kept as a store document under its kind's key, in an envelope naming the build.
 */
const problem = z.object({ sourceId: z.string(), target: z.string(), code: z.enum(Object.keys(ERROR_CODES) as [ErrorCode, ...ErrorCode[]]), message: z.string() });

const KINDS = {
  /** A feed's last harvest: the hash of its body (and of what normalizing depends on), and its items. */
  harvest: {
    key: (sourceId: string) => `harvest:${sourceId}`,
    schema: z.object({
      body: z.string(),
      title: z.string().nullable(),
      /** The items kept (after the cap and repeats), in feed order: fingerprint, article id and link. */
      items: z.array(z.tuple([z.string(), z.string(), z.string().nullable()])),
    }),
  },
  /**
   * A seeds folder as its last harvest saw it (files as stamped, config), the articles it gave and
   * its problems. A folder in which no file was added, removed, rewritten or touched since would give
   * the same articles, which are in the store already: the files are not read again, and the
   * problems of reading them are reported again from here (those of listing, such as a link leading
   * outside, are found again, so a record never holds a path from outside the folder).
   */
  seedFolder: {
    key: (sourceId: string) => `seed-folder:${sourceId}`,
    schema: z.object({ fingerprint: z.string(), articles: z.number(), readProblems: z.array(problem) }),
  },
  /** What the last publish was made from (store version, config, health) and how many files it kept. */
  lastPublish: {
    key: () => 'last-publish',
    schema: z.object({ fingerprint: z.string(), files: z.number() }),
  },
  /** What each output's subscription documents were last rendered from, and the files that came out. */
  publishManifest: {
    key: () => 'publish-manifest',
    schema: z.object({
      /** The target's name: the folder, or "s3://bucket/prefix". */
      outputDir: z.string(),
      outputs: z.record(z.string(), z.object({ fingerprint: z.string(), files: z.record(z.string(), z.string()) })),
    }),
  },
  /** The filter and source ranking an output's exclusions were made under. */
  outputFilter: {
    key: (outputId: string) => `output-filter:${outputId}`,
    schema: z.object({ hash: z.string() }),
  },
} as const;

export type RecordKind = keyof typeof KINDS;
export type RecordOf<K extends RecordKind> = z.infer<(typeof KINDS)[K]['schema']>;
export type HarvestRecord = RecordOf<'harvest'>;
export type SeedFolderRecord = RecordOf<'seedFolder'>;
export type PublishManifest = RecordOf<'publishManifest'>;

export interface RecordStore {
  getDocument(key: string): Promise<{ body: string } | null>;
  saveDocument(key: string, document: CachedDocument): Promise<void>;
}

export interface RunRecords {
  /** The record of that kind (and source or output id), or null when there is none to trust. */
  read<K extends RecordKind>(kind: K, id?: string): Promise<RecordOf<K> | null>;
  /** The record as a store document, to be saved with the work it describes. */
  document<K extends RecordKind>(kind: K, id: string | undefined, value: RecordOf<K>): { key: string; document: CachedDocument };
  save<K extends RecordKind>(kind: K, id: string | undefined, value: RecordOf<K>): Promise<void>;
}

export interface RecordOptions {
  /** The identity of the running code (buildId()). */
  build: string;
  /** Trust no record: `run --refresh`. */
  refresh: boolean;
  now: Date;
}

export function runRecords(store: RecordStore, options: RecordOptions): RunRecords {
  const envelope = z.object({ build: z.literal(options.build), value: z.unknown() });
  const document = <K extends RecordKind>(kind: K, id: string | undefined, value: RecordOf<K>) => ({
    key: KINDS[kind].key(id ?? ''),
    document: { body: JSON.stringify({ build: options.build, value }), etag: null, lastModified: null, fetchedAt: options.now.toISOString() },
  });
  return {
    async read(kind, id) {
      if (options.refresh) return null;
      const stored = await store.getDocument(KINDS[kind].key(id ?? ''));
      const wrapped = envelope.safeParse(parseJson(stored?.body));
      if (!wrapped.success) return null;
      const value = KINDS[kind].schema.safeParse(wrapped.data.value);
      return value.success ? (value.data as RecordOf<typeof kind>) : null;
    },
    document,
    async save(kind, id, value) {
      const { key, document: doc } = document(kind, id, value);
      await store.saveDocument(key, doc);
    },
  };
}

function parseJson(text: string | undefined): unknown {
  if (text === undefined) return null;
  try {
    return JSON.parse(text) as unknown;
  } catch {
    return null;
  }
}
