import { COMMENT_KEY } from '../config/comments.js';

/**
 * The config `feedmirror init` writes: what the default project needs, and a comment ("//" key)
 * on each part saying what to change. Written as JSON, so `sources add` keeps the comments.
 */
export function startingConfig(): string {
  const config = {
    [COMMENT_KEY]: 'feedmirror config. Keys named "//" are comments. Every key is in README.md, "Configuration"; `feedmirror check` validates this file.',
    site: {
      [COMMENT_KEY]: 'url: where the output folder is served; feeds and pages link to it. Set it to the public address before publishing.',
      url: 'http://127.0.0.1:8080/',
      title: 'feedmirror',
      description: 'Articles republished by feedmirror',
      language: 'en',
      mirrors: [],
    },
    database: 'data/feedmirror.db',
    outputDir: 'feeds',
    sources: [
      {
        [COMMENT_KEY]: 'Seed articles: the text files in seeds/. Add a remote feed with `feedmirror sources add URL`, or many with `feedmirror import-opml FILE`.',
        id: 'seeds',
        title: 'Seed articles',
        seeds: 'seeds',
      },
    ],
    outputs: [
      {
        [COMMENT_KEY]: 'One published feed (feeds/all/rss.xml, atom.xml, feed.json) of every source ("*"); list source ids or tags to make others.',
        id: 'all',
        title: 'All articles',
        sources: ['*'],
        limit: 100,
      },
    ],
  };
  return `${JSON.stringify(config, null, 2)}\n`;
}
