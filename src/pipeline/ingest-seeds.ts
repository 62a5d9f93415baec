import type { Article } from '../model/article.js';
import type { InputProblem } from '../model/problem.js';
import type { SeedSourceConfig } from '../config/config.js';
import { readSeedFolder } from '../sources/read-seeds.js';
import { parseSeed } from '../ingest/parse-seed.js';
import { SeedError } from '../ingest/seed-text.js';
import { normalizeSeed } from '../normalize/normalize-seed.js';

export interface SourceHarvest {
  articles: Article[];
  problems: InputProblem[];
}

/** seeds folder → parsed → normalized; a bad file becomes a problem and the others go on. */
export async function harvestSeedSource(source: SeedSourceConfig, site: { url: string; mirrors: string[] }): Promise<SourceHarvest> {
  let scan;
  try {
    scan = await readSeedFolder(source.id, source.seeds);
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code ?? 'EIO';
    return { articles: [], problems: [{ sourceId: source.id, target: source.seeds, code: 'FM_SEED_FOLDER', message: `cannot read the seeds folder (${code})` }] };
  }
  const articles: Article[] = [];
  const problems = [...scan.problems];
  const context = { sourceId: source.id, siteUrl: site.url, siteMirrors: site.mirrors, sourceMirrors: source.mirrors };
  for (const file of scan.files) {
    try {
      articles.push(normalizeSeed(parseSeed(file), context));
    } catch (error) {
      if (!(error instanceof SeedError)) throw error;
      problems.push({ sourceId: source.id, target: file.path, code: error.code, message: error.message });
    }
  }
  return { articles, problems: dedupeIds(articles, problems, source.id) };
}

/** Two files can map to one id ("001_abc.txt", "002_abc.txt"); the first wins and the other is reported. */
function dedupeIds(articles: Article[], problems: InputProblem[], sourceId: string): InputProblem[] {
  const seen = new Set<string>();
  for (let i = 0; i < articles.length; i++) {
    const id = articles[i]!.id;
    if (!seen.has(id)) {
      seen.add(id);
      continue;
    }
    problems.push({ sourceId, target: id, code: 'FM_SEED_DUPLICATE_ID', message: `has the same article id as an earlier seed file; skipped` });
    articles.splice(i--, 1);
  }
  return problems;
}
