/**
 * A strict reader of the Prometheus text exposition format (version 0.0.4): every line is a
 * comment (# HELP / # TYPE / other), blank, or a sample `name{label="value",…} value [timestamp]`.
 * Anything else is reported as a problem instead of being skipped.
 */

export interface Sample {
  name: string;
  labels: Record<string, string>;
  value: number;
}

export interface Exposition {
  samples: Sample[];
  help: Map<string, string>;
  type: Map<string, string>;
  /** Lines that are not valid exposition format, with why. */
  problems: string[];
}

const NAME = '[a-zA-Z_:][a-zA-Z0-9_:]*';
const LABEL = '[a-zA-Z_][a-zA-Z0-9_]*="(?:[^"\\\\\\n]|\\\\[\\\\"n])*"';
const VALUE = '[-+]?(?:\\d+(?:\\.\\d*)?(?:[eE][-+]?\\d+)?|\\.\\d+(?:[eE][-+]?\\d+)?|Inf|NaN)';
const SAMPLE_LINE = new RegExp(`^(${NAME})(?:\\{((?:${LABEL})(?:,${LABEL})*,?)?\\})? (${VALUE})(?: -?\\d+)?$`);
const HELP_LINE = new RegExp(`^# HELP (${NAME}) (.*)$`);
const TYPE_LINE = new RegExp(`^# TYPE (${NAME}) (counter|gauge|histogram|summary|untyped)$`);
const LABEL_PAIR = /([a-zA-Z_][a-zA-Z0-9_]*)="((?:[^"\\]|\\.)*)"/g;
/** Series a histogram or summary family exposes besides its own name. */
const FAMILY_SUFFIXES = ['_bucket', '_sum', '_count'];

export function parseExposition(text: string): Exposition {
  const result: Exposition = { samples: [], help: new Map(), type: new Map(), problems: [] };
  text.split('\n').forEach((line, i) => {
    if (line.trim() === '') return;
    const help = HELP_LINE.exec(line);
    if (help) return void result.help.set(help[1]!, help[2]!);
    const type = TYPE_LINE.exec(line);
    if (type) return void result.type.set(type[1]!, type[2]!);
    if (line.startsWith('# HELP') || line.startsWith('# TYPE')) return void result.problems.push(`line ${i + 1}: malformed ${line.slice(0, 6)}: ${line}`);
    if (line.startsWith('#')) return;
    const sample = SAMPLE_LINE.exec(line);
    if (!sample) return void result.problems.push(`line ${i + 1}: not "name{labels} value": ${JSON.stringify(line)}`);
    const labels: Record<string, string> = {};
    for (const [, key, value] of (sample[2] ?? '').matchAll(LABEL_PAIR)) labels[key!] = value!;
    const name = sample[1]!;
    const family = familyOf(name, result.type);
    if (!result.type.has(family)) result.problems.push(`line ${i + 1}: ${name} has no # TYPE line before it`);
    if (!result.help.has(family)) result.problems.push(`line ${i + 1}: ${name} has no # HELP line before it`);
    result.samples.push({ name, labels, value: Number(sample[3]!.replace(/Inf$/, 'Infinity')) });
  });
  return result;
}

function familyOf(name: string, types: Map<string, string>): string {
  if (types.has(name)) return name;
  const suffix = FAMILY_SUFFIXES.find((s) => name.endsWith(s) && types.has(name.slice(0, -s.length)));
  return suffix ? name.slice(0, -suffix.length) : name;
}

/** The value of one series (name and exactly these labels), or undefined when it is not exposed. */
export function valueOf(exposition: Exposition, name: string, labels: Record<string, string> = {}): number | undefined {
  const wanted = JSON.stringify(Object.entries(labels).sort());
  return exposition.samples.find((s) => s.name === name && JSON.stringify(Object.entries(s.labels).sort()) === wanted)?.value;
}
