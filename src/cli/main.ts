import { Command, CommanderError, InvalidArgumentError, Option } from 'commander';
import { ConfigError, DEFAULT_CONFIG_FILE } from '../config/config-error.js';
import { escapeControls } from '../lib/escape-controls.js';
import { VERSION } from '../version.js';
import { CliError, EXIT, type ExitCode } from './exit-codes.js';
import { PROCESS_IO, type CliIo } from './cli-io.js';
// Commands are loaded when they run: `--help` and `run` need not pay for the HTTP server or metrics.
import type { CommonOptions, RunCommandOptions } from './run-command.js';
import type { StatusOptions } from './status-command.js';
import type { DaemonCommandOptions, ServeOptions } from './serve-command.js';
import type { AccessLogFormat } from '../serve/access-log.js';

// Written out here rather than imported with the access log's code: --help stays cheap.
const ACCESS_LOG_FORMATS: AccessLogFormat[] = ['common', 'combined', 'json'];

const EXIT_CODES_HELP = `
Exit codes:
  0  published (a source that failed is logged, the others are still published)
  1  bad config or bad usage
  2  could not publish (store or output folder unusable); previous feeds are untouched
     (migrate: the store cannot be opened or migrated)
  3  another run holds the lock (with --fail-if-locked)
  4  with run --strict: published, but a source failed this run`;

/** `done` receives the exit code of the command that ran; output goes to `io`. */
function buildProgram(io: CliIo, done: (code: ExitCode) => void): Command {
  const program = new Command('feedmirror')
    .configureOutput(outputTo(io))
    .description('Republish seed articles and remote feeds as RSS, Atom and JSON Feed, with mirror-domain metadata.')
    .version(VERSION, '-V, --version')
    .showHelpAfterError('(run "feedmirror --help" for usage)')
    .addHelpText('after', EXIT_CODES_HELP)
    .exitOverride();
  withCommonOptions(program.command('run'))
    .description('fetch the sources that are due, store the articles and regenerate the feed files once (for cron)')
    .option('--all', 'fetch every source, even those not due yet (backoff, Retry-After)')
    .option('--source <id...>', 'only these sources (implies --all for them)')
    .addOption(new Option('--wait', 'if another run holds the lock, wait for it instead of exiting (not with --fail-if-locked)').conflicts('failIfLocked'))
    .option('--fail-if-locked', 'if another run holds the lock, exit 3 instead of 0')
    .option('--refresh', 'read every seed and parse every fetched feed in full, even those unchanged since the last run')
    .option('--strict', 'exit 4 when a source failed this run (the others are still published); for cron')
    .addOption(new Option('--max-time <duration>', 'on a PostgreSQL store: stop claiming sources after this long ("90s", "10m"), then finish, publish and exit').argParser(durationArg))
    .option('--no-progress', 'on a terminal, no progress line (sources done, items, slow sources); never shown otherwise')
    // For the tests: a progress line sooner than a real run would need one.
    .addOption(new Option('--progress-interval <ms>', 'how often a long run logs its progress').argParser(positiveInt).hideHelp())
    .action(async (options: RunCommandOptions) => {
      done(await (await import('./run-command.js')).runCommand(options, io));
    });
  program
    .command('init')
    .argument('[dir]', 'folder to write to (made if missing)', '.')
    .description('write a commented starting config and a seeds/ folder with a sample article; overwrites nothing')
    .exitOverride()
    .action(async (dir: string) => {
      done(await (await import('./init-command.js')).initCommand(dir, io));
    });
  withCommonOptions(program.command('status'))
    .description('show each source: last fetch, HTTP status, items, failures in a row, next due, last error')
    .option('--json', 'print JSON instead of a table')
    .option('--fleet', 'on a PostgreSQL store: only the fleet (claims, disabled sources, dirty outputs, last chore runs, workers); with --json one object')
    .action(async (options: StatusOptions) => {
      done(await (await import('./status-command.js')).statusCommand(options, io));
    });
  withCommonOptions(program.command('daemon'))
    .description('run on the configured schedule (schedule.cron) until SIGTERM/SIGINT; SIGHUP reloads the config')
    .addOption(new Option('--grace <ms>', 'how long in-flight fetches may continue after SIGTERM').argParser(positiveInt).default(10_000))
    .option('--no-initial-run', 'wait for the first scheduled tick instead of running at start')
    .action(async (options: DaemonCommandOptions) => {
      done(await (await import('./serve-command.js')).daemonCommand(options, io));
    });
  withCommonOptions(program.command('serve'))
    .description('serve the output folder over HTTP (caching, compression, /healthz, /metrics); --schedule also runs the daemon')
    .option('--host <host>', 'address to listen on', '127.0.0.1')
    .addOption(new Option('--port <port>', 'port to listen on').argParser(portNumber).default(8080))
    .addOption(new Option('--admin-port <port>', 'serve /healthz and /metrics on this port only, not on --port').argParser(portNumber))
    .option('--admin-host <host>', 'address for --admin-port (default: 127.0.0.1)')
    .option('--schedule', 'also run the schedule in this process')
    .addOption(new Option('--grace <ms>', 'with --schedule: how long in-flight fetches may continue after SIGTERM').argParser(positiveInt).default(10_000))
    .option('--access-log <file>', 'append a line per request to this file ("-": stdout); SIGHUP reopens it; query strings are left out')
    .addOption(new Option('--access-log-format <format>', 'access log lines: common (CLF), combined (CLF with referer and user agent) or json').choices(ACCESS_LOG_FORMATS).default('common'))
    .action(async (options: ServeOptions) => {
      done(await (await import('./serve-command.js')).serveCommand(options, io));
    });
  const sources = program.command('sources').description('list, add or remove sources in the config');
  withCommonOptions(sources.command('list'))
    .description('list the configured sources')
    .option('--json', 'print JSON')
    .action(async (options: CommonOptions & { json?: boolean }) => {
      done(await (await import('./sources-command.js')).sourcesListCommand(options, io));
    });
  withCommonOptions(sources.command('add'))
    .argument('<url>', 'feed URL (or a page that advertises a feed)')
    .description('check that the URL is a feed and add it as a source (id and title from the feed)')
    .option('--id <id>', 'source id (default: from the feed title)')
    .option('--title <title>', 'display title (default: the feed title)')
    .option('--tag <tag...>', 'tags')
    .action(async (url: string, options: CommonOptions & { id?: string; title?: string; tag?: string[] }) => {
      done(await (await import('./sources-command.js')).sourcesAddCommand(url, options, io));
    });
  withCommonOptions(sources.command('remove'))
    .argument('<id>', 'source id')
    .description('remove a source from the config (its articles leave the feeds at the next run; sealed archive pages keep theirs)')
    .action(async (id: string, options: CommonOptions) => {
      done(await (await import('./sources-command.js')).sourcesRemoveCommand(id, options, io));
    });
  withCommonOptions(program.command('prune'))
    .description('remove the feed articles the config\'s retention drops (also done after each run); prints them per source')
    .option('--dry-run', 'print what would be removed without removing it')
    .action(async (options: CommonOptions & { dryRun?: boolean }) => {
      done(await (await import('./prune-command.js')).pruneCommand(options, io));
    });
  withCommonOptions(program.command('check'))
    .description('validate the config and the paths it names; prints each problem with its key path, and the proxies in use (passwords as ***)')
    .action(async (options: CommonOptions) => {
      done(await (await import('./check-command.js')).checkCommand(options, io));
    });
  withCommonOptions(program.command('migrate'))
    .description('create the store or bring its schema up to date (every command does this on opening it; run it before starting workers)')
    .action(async (options: CommonOptions) => {
      done(await (await import('./migrate-command.js')).migrateCommand(options, io));
    });
  withCommonOptions(program.command('import-opml'))
    .argument('<file>', 'OPML file (as feed readers export it)')
    .description('add the feeds of an OPML file as sources (skips URLs already configured); rewrites the config with 2-space indentation')
    .option('--dry-run', 'print what would be added without changing the config')
    .action(async (file: string, options: CommonOptions & { dryRun?: boolean }) => {
      done(await (await import('./opml-commands.js')).importOpmlCommand(file, options, io));
    });
  withCommonOptions(program.command('export-opml'))
    .description('print the configured remote sources as OPML 2.0 (with their mirrors)')
    .option('-o, --output <file>', 'write to a file instead of stdout')
    .action(async (options: CommonOptions & { output?: string }) => {
      done(await (await import('./opml-commands.js')).exportOpmlCommand(options, io));
    });
  return program;
}

function withCommonOptions(command: Command): Command {
  return command
    .option('-c, --config <path>', 'config file', DEFAULT_CONFIG_FILE)
    .addOption(new Option('--log-level <level>', 'log level').choices(['trace', 'debug', 'info', 'warn', 'error', 'fatal', 'silent']).default('info'))
    .addOption(new Option('--log-format <format>', 'log format: JSON lines, or colours for a terminal').choices(['auto', 'json', 'pretty']).default('auto'))
    .exitOverride();
}

function positiveInt(value: string): number {
  const n = Number(value);
  if (!Number.isInteger(n) || n < 0) throw new InvalidArgumentError('expected a whole number');
  return n;
}

/** A duration as the config writes one ("90s", "10m", "1h", or seconds), in ms. */
function durationArg(value: string): number {
  const match = /^(\d+)\s*([smhd]?)$/i.exec(value.trim());
  if (!match || Number(match[1]) === 0) throw new InvalidArgumentError('expected a duration such as "90s", "10m" or "1h", or a whole number of seconds');
  const unit = { '': 1_000, s: 1_000, m: 60_000, h: 3_600_000, d: 86_400_000 }[match[2]!.toLowerCase() as '' | 's' | 'm' | 'h' | 'd'];
  return Number(match[1]) * unit;
}

function portNumber(value: string): number {
  const n = positiveInt(value);
  if (n > 65_535) throw new InvalidArgumentError('expected a port from 0 to 65535');
  return n;
}

/** Commander's help and usage errors go to `io`, wrapped to the width of a terminal (else 80 columns, commander's default). */
function outputTo(io: CliIo) {
  const width = (stream: NodeJS.WritableStream) => ((stream as { isTTY?: boolean }).isTTY ? (stream as { columns?: number }).columns : undefined) ?? 80;
  return {
    writeOut: (text: string) => void io.stdout.write(text),
    writeErr: (text: string) => void io.stderr.write(text),
    getOutHelpWidth: () => width(io.stdout),
    getErrHelpWidth: () => width(io.stderr),
  };
}

/** `feedmirror …` as bin/feedmirror.js runs it: the exit code is the process's. */
export async function main(argv: string[]): Promise<void> {
  process.exitCode = await runCommandLine(argv);
}

/**
 * The whole CLI for one command line (argv as process.argv gives it: node, script, arguments…):
 * answers the exit code and writes to `io`, so another program (the tests) can run it without a process.
 */
export async function runCommandLine(argv: string[], io: CliIo = PROCESS_IO): Promise<ExitCode> {
  let code: ExitCode = EXIT.OK;
  const program = buildProgram(io, (result) => (code = result));
  try {
    if (argv.length <= 2) {
      program.outputHelp();
      return EXIT.USAGE;
    }
    await program.parseAsync(argv);
    return code;
  } catch (error) {
    return exitCodeFor(error, io);
  }
}

function exitCodeFor(error: unknown, io: CliIo): ExitCode {
  if (error instanceof CommanderError) {
    // --help and --version end through here with exit code 0
    return error.exitCode === 0 ? EXIT.OK : EXIT.USAGE;
  }
  if (error instanceof ConfigError) {
    io.stderr.write(`feedmirror: ${escapeLines(error.message)}\n`);
    return EXIT.USAGE;
  }
  if (error instanceof CliError) {
    io.stderr.write(`feedmirror: ${escapeLines(error.message)}\n`);
    return error.exitCode;
  }
  io.stderr.write(`feedmirror: unexpected error: ${escapeLines((error as Error).stack ?? String(error))}\n`);
  return EXIT.PUBLISH_FAILED;
}

/** A message may quote a path or an argument: no ESC sequence or CR reaches the terminal; its own lines stay lines. */
function escapeLines(message: string): string {
  return message.split('\n').map(escapeControls).join('\n');
}
