import { readFileSync } from 'node:fs';
import { repositoryRoot } from './gateway.js';

/** One function's share of the CPU profile. */
export interface ProfileEntry {
  functionName: string;
  /** Where it is: repository-relative (dist/… is the compiled src/), node:…, or a package. */
  location: string;
  selfMilliseconds: number;
  /** Share of the busy (non-idle) time. */
  percent: number;
}

interface CallFrame {
  functionName: string;
  url: string;
  lineNumber: number;
}

interface ProfileNode {
  id: number;
  callFrame: CallFrame;
}

interface CpuProfile {
  nodes: ProfileNode[];
  samples: number[];
  timeDeltas: number[];
}

function parseProfile(text: string): CpuProfile {
  const parsed = JSON.parse(text) as Partial<CpuProfile>;
  if (
    !Array.isArray(parsed.nodes) ||
    !Array.isArray(parsed.samples) ||
    !Array.isArray(parsed.timeDeltas)
  )
    throw new Error('not a V8 .cpuprofile (nodes, samples and timeDeltas expected)');
  return parsed as CpuProfile;
}

function shortLocation(url: string, line: number): string {
  if (url === '') return '';
  let where = url.replace(/^file:\/\//, '');
  where = where.replace(`${repositoryRoot}node_modules/.cache/switchyard-bench/`, '');
  where = where.replace(repositoryRoot, '');
  where = where.replace(/^.*node_modules\//, '');
  // V8 counts lines from 0.
  return `${where}:${line + 1}`;
}

/** Self time summed by package (node_modules), gateway file (dist/…) or Node.js internals. */
export interface ModuleEntry {
  module: string;
  selfMilliseconds: number;
  percent: number;
}

function moduleOf(url: string): string {
  if (url === '') return '(native: syscalls, GC, V8)';
  if (url.startsWith('node:')) return 'node: internals';
  const inPackage = /node_modules\/((?:@[^/]+\/)?[^/]+)\/(?!.*node_modules\/)/.exec(url);
  if (inPackage?.[1] !== undefined && inPackage[1] !== '.cache') return inPackage[1];
  return shortLocation(url, 0).replace(/:1$/, '');
}

/** The functions with the most self time in a .cpuprofile, idle time left out. */
export function topSelfTime(
  file: string,
  count = 10,
): { busyMilliseconds: number; entries: ProfileEntry[]; modules: ModuleEntry[] } {
  const profile = parseProfile(readFileSync(file, 'utf8'));
  const byId = new Map(profile.nodes.map((node) => [node.id, node]));
  const selfMicroseconds = new Map<string, { frame: CallFrame; micros: number }>();
  let busy = 0;
  for (let index = 0; index < profile.samples.length; index += 1) {
    const node = byId.get(profile.samples[index] as number);
    // timeDeltas[i] is the gap before sample i; the sample stands for the time until the next.
    const micros = profile.timeDeltas[index + 1] ?? 0;
    if (node === undefined || node.callFrame.functionName === '(idle)') continue;
    busy += micros;
    const frame = node.callFrame;
    const key = `${frame.functionName}\u0000${frame.url}\u0000${frame.lineNumber}`;
    const entry = selfMicroseconds.get(key);
    if (entry) entry.micros += micros;
    else selfMicroseconds.set(key, { frame, micros });
  }
  const entries = [...selfMicroseconds.values()]
    .sort((left, right) => right.micros - left.micros)
    .slice(0, count)
    .map(({ frame, micros }) => ({
      functionName: frame.functionName === '' ? '(anonymous)' : frame.functionName,
      location: shortLocation(frame.url, frame.lineNumber),
      selfMilliseconds: micros / 1000,
      percent: busy === 0 ? 0 : (100 * micros) / busy,
    }));
  const byModule = new Map<string, number>();
  for (const { frame, micros } of selfMicroseconds.values()) {
    const name = moduleOf(frame.url);
    byModule.set(name, (byModule.get(name) ?? 0) + micros);
  }
  const modules = [...byModule.entries()]
    .sort((left, right) => right[1] - left[1])
    .slice(0, count)
    .map(([module, micros]) => ({
      module,
      selfMilliseconds: micros / 1000,
      percent: busy === 0 ? 0 : (100 * micros) / busy,
    }));
  return { busyMilliseconds: busy / 1000, entries, modules };
}
