export const DEFAULT_CONFIG_FILE = 'feedmirror.config.json';

/** A config that cannot be used; `problems` are one line each: file, key path, what was expected. */
export class ConfigError extends Error {
  readonly code = 'FM_CONFIG';
  constructor(
    readonly file: string,
    readonly problems: string[],
  ) {
    super(`config: ${file}: ${problems.length === 1 ? problems[0] : `${problems.length} problems\n  ${problems.join('\n  ')}`}`);
  }
}
