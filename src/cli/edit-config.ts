import { readFile } from 'node:fs/promises';
import { parseConfig } from '../config/load-config.js';
import { writeFileAtomic } from '../lib/atomic-write.js';

export interface NewSource {
  id: string;
  url: string;
  title?: string;
  mirrors?: string[];
  tags?: string[];
}

/**
 * Edits the config file: the JSON is read, changed and written back with 2-space indentation,
 * keeping every key and its order (JSON has no comments to lose). The result is validated before
 * it replaces the file, atomically, so a bad edit never leaves a broken config behind.
 */
export async function editConfig(configPath: string, change: (raw: { sources?: unknown[] } & Record<string, unknown>) => void): Promise<void> {
  const raw = JSON.parse((await readFile(configPath, 'utf8')).replace(/^\uFEFF/, '')) as { sources?: unknown[] } & Record<string, unknown>;
  change(raw);
  const text = `${JSON.stringify(raw, null, 2)}\n`;
  parseConfig(text, configPath);
  await writeFileAtomic(configPath, text);
}

export async function addSourcesToConfig(configPath: string, sources: NewSource[]): Promise<void> {
  await editConfig(configPath, (raw) => {
    raw.sources = [...(raw.sources ?? []), ...sources];
  });
}

export async function removeSourceFromConfig(configPath: string, id: string): Promise<boolean> {
  let removed = false;
  await editConfig(configPath, (raw) => {
    const before = raw.sources ?? [];
    raw.sources = before.filter((s) => (s as { id?: string }).id !== id);
    removed = raw.sources.length !== before.length;
  });
  return removed;
}

/** A source id not yet taken: `base`, else `base-2`, `base-3`…; the new id is added to `taken`. */
export function uniqueId(base: string, taken: Set<string>): string {
  const stem = base.slice(0, 56) || 'feed';
  let id = stem;
  for (let n = 2; taken.has(id); n++) id = `${stem}-${n}`;
  taken.add(id);
  return id;
}
