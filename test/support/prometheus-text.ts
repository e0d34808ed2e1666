/** One sample line of the Prometheus text format: `name{label="value",…} value`. */
export interface Sample {
  name: string;
  labels: Record<string, string>;
  value: number;
}

/** A parsed exposition: each metric family's TYPE, and every sample. */
export interface Exposition {
  types: Map<string, string>;
  samples: Sample[];
}

const namePattern = /^[a-zA-Z_:][a-zA-Z0-9_:]*/;
const labelNamePattern = /^[a-zA-Z_][a-zA-Z0-9_]*/;

/** A value as Prometheus reads it (Go's ParseFloat): NaN and Inf in any case, as prom-client writes `Nan`. */
function parseValue(text: string, line: string): number {
  if (/^nan$/i.test(text)) return Number.NaN;
  const infinity = /^([+-]?)inf(inity)?$/i.exec(text);
  if (infinity) return infinity[1] === '-' ? Number.NEGATIVE_INFINITY : Number.POSITIVE_INFINITY;
  const value = Number(text);
  if (text === '' || Number.isNaN(value)) throw new Error(`not a sample value: ${line}`);
  return value;
}

/** Reads `{a="1",b="x\"y"}` from the start of `text`; returns the labels and what follows. */
function parseLabels(text: string, line: string): { labels: Record<string, string>; rest: string } {
  const labels: Record<string, string> = {};
  let at = 1;
  for (;;) {
    if (text[at] === '}') return { labels, rest: text.slice(at + 1) };
    const name = labelNamePattern.exec(text.slice(at))?.[0];
    if (
      name === undefined ||
      text[at + name.length] !== '=' ||
      text[at + name.length + 1] !== '"'
    ) {
      throw new Error(`bad label at ${at}: ${line}`);
    }
    at += name.length + 2;
    let value = '';
    for (;;) {
      const character = text[at];
      if (character === undefined) throw new Error(`unterminated label value: ${line}`);
      at++;
      if (character === '"') break;
      if (character === '\\') {
        const escaped = text[at++];
        value += escaped === 'n' ? '\n' : (escaped ?? '');
      } else {
        value += character;
      }
    }
    if (name in labels) throw new Error(`label ${name} given twice: ${line}`);
    labels[name] = value;
    if (text[at] === ',') at++;
    else if (text[at] !== '}') throw new Error(`expected , or } at ${at}: ${line}`);
  }
}

/**
 * Parses the Prometheus text exposition format (version 0.0.4): `# TYPE` lines, `# HELP` and
 * other comments, and sample lines with optional labels and timestamp. Throws on a line it
 * cannot read, so a malformed exposition fails the test rather than passing unnoticed.
 */
export function parsePrometheusText(text: string): Exposition {
  const types = new Map<string, string>();
  const samples: Sample[] = [];
  for (const line of text.split('\n')) {
    if (line.trim() === '') continue;
    if (line.startsWith('#')) {
      const type =
        /^# TYPE ([a-zA-Z_:][a-zA-Z0-9_:]*) (counter|gauge|histogram|summary|untyped)$/.exec(line);
      if (type) types.set(type[1] as string, type[2] as string);
      else if (line.startsWith('# TYPE')) throw new Error(`bad TYPE line: ${line}`);
      continue;
    }
    const name = namePattern.exec(line)?.[0];
    if (name === undefined) throw new Error(`bad sample line: ${line}`);
    let rest = line.slice(name.length);
    let labels: Record<string, string> = {};
    if (rest.startsWith('{')) ({ labels, rest } = parseLabels(rest, line));
    const fields = rest.trim().split(/\s+/);
    if (fields.length < 1 || fields.length > 2) throw new Error(`bad sample line: ${line}`);
    samples.push({ name, labels, value: parseValue(fields[0] ?? '', line) });
  }
  return { types, samples };
}

/** The samples named `name` whose labels include every one of `labels`. */
export function samplesOf(
  exposition: Exposition,
  name: string,
  labels: Record<string, string> = {},
): Sample[] {
  return exposition.samples.filter(
    (sample) =>
      sample.name === name &&
      Object.entries(labels).every(([label, value]) => sample.labels[label] === value),
  );
}

/** The sum of the matching samples' values; 0 when none match. */
export function sumOf(
  exposition: Exposition,
  name: string,
  labels: Record<string, string> = {},
): number {
  return samplesOf(exposition, name, labels).reduce((sum, sample) => sum + sample.value, 0);
}

/** The one sample matching exactly; throws when there is none or more than one. */
export function valueOf(
  exposition: Exposition,
  name: string,
  labels: Record<string, string> = {},
): number {
  const found = samplesOf(exposition, name, labels);
  if (found.length !== 1) {
    throw new Error(`expected one ${name} ${JSON.stringify(labels)}, found ${found.length}`);
  }
  return (found[0] as Sample).value;
}
