/** A seed article as parsed from text, before normalization. */
export interface ParsedSeed {
  /** File name stem the stable id is derived from. */
  stem: string;
  headline: string;
  paragraphs: string[];
  captions: SeedCaption[];
  publisher: { name: string; hosts: string[] } | null;
  date: { iso: string; from: 'text' | 'text-weekday' | 'mtime' };
  /** Lines dropped as page chrome, kept so tests and logs can show what was removed. */
  droppedChrome: string[];
}

export interface SeedCaption {
  text: string;
  /** Who took the picture ("AFP"): the data. */
  credit: string;
  /** The credit in the publisher's own words, as it ended the paragraph ("(Photo by AFP)"): what pages show. */
  creditText: string;
  /** Index in `paragraphs` the caption stood before, so the figure keeps its place. */
  position: number;
}

/** Raw bytes of one seed file, as read from disk. */
export interface SeedFile {
  path: string;
  name: string;
  bytes: Buffer;
  mtime: Date;
}
