import { escapeControls } from '../lib/escape-controls.js';
import { FeedmirrorError } from '../model/errors.js';

export const DEFAULT_CONFIG_FILE = 'feedmirror.config.json';

/** A config that cannot be used; `problems` are one line each: file, key path, what was expected. */
export class ConfigError extends FeedmirrorError {
  readonly problems: string[];
  constructor(
    readonly file: string,
    problems: string[],
  ) {
    // A value quoted from the config (a path, an id) may hold a newline: each problem stays one line.
    const lines = problems.map(escapeControls);
    super('FM_CONFIG', `config: ${escapeControls(file)}: ${lines.length === 1 ? lines[0] : `${lines.length} problems\n  ${lines.join('\n  ')}`}`);
    this.problems = lines;
  }
}
