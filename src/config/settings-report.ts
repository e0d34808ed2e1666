import { environmentSettings, type LoadedConfig } from './load.js';

export interface SettingLine {
  /** The dotted YAML path, e.g. `limits.defaults.rpm`. */
  key: string;
  /** Secrets are never shown: only whether they are set. */
  value: string | number | boolean | null;
  source: 'default' | 'file' | 'environment';
  /** The variable that sets it, when one does. */
  environmentVariable: string | null;
}

export interface SettingsReport {
  version: string;
  /** The YAML file read at start, if any. */
  configFile: string | null;
  database: { kind: 'sqlite' | 'postgres' };
  redis: { configured: boolean };
  sections: Array<{ name: string; settings: SettingLine[] }>;
}

/** Settings whose values are secrets: reported as set or not, never shown. */
const secretKeys = new Set(['secretKey', 'adminToken', 'admin.password', 'metrics.token']);
/** Settings that are URLs and may carry a password. */
const urlKeys = new Set(['database.url', 'redis.url']);
/** Shown on their own pages (providers hold secrets), not as settings. */
const catalogKeys = new Set(['providers', 'models']);

function leaves(value: unknown, prefix: string, into: Map<string, unknown>): void {
  if (typeof value === 'object' && value !== null && !Array.isArray(value)) {
    for (const [key, child] of Object.entries(value)) {
      leaves(child, prefix === '' ? key : `${prefix}.${key}`, into);
    }
    return;
  }
  into.set(prefix, value);
}

function withoutPassword(url: string): string {
  try {
    const parsed = new URL(url);
    if (parsed.password !== '') parsed.password = '****';
    return parsed.toString();
  } catch {
    return '[set]';
  }
}

function shown(key: string, value: unknown): SettingLine['value'] {
  if (value === undefined || value === null) return null;
  if (secretKeys.has(key)) return '[set]';
  if (urlKeys.has(key) && typeof value === 'string') return withoutPassword(value);
  if (typeof value === 'string' || typeof value === 'number' || typeof value === 'boolean') {
    return value;
  }
  return JSON.stringify(value);
}

function sectionOf(key: string): string {
  const [first = key] = key.split('.');
  if (!key.includes('.')) return secretKeys.has(key) ? 'security' : 'general';
  return first;
}

/**
 * The effective configuration as an admin may see it: every setting the file, the environment
 * or a default gave, with where it came from and secrets withheld.
 */
export function describeSettings(loaded: LoadedConfig, version: string): SettingsReport {
  const values = new Map<string, unknown>();
  leaves(loaded.config, '', values);
  const variableFor = new Map<string, string>();
  for (const setting of environmentSettings) {
    const key = setting.path.join('.');
    variableFor.set(key, setting.variables[0] ?? '');
    // Optional settings absent from the config are still listed, as unset.
    if (!values.has(key)) values.set(key, undefined);
  }
  const sections = new Map<string, SettingLine[]>();
  for (const [key, value] of [...values].sort(([left], [right]) => left.localeCompare(right))) {
    if (catalogKeys.has(key.split('.')[0] ?? '')) continue;
    const source = loaded.sources.get(key);
    const line: SettingLine = {
      key,
      value: shown(key, value),
      source: source === undefined ? 'default' : source.kind,
      environmentVariable:
        source?.kind === 'environment' ? source.variable : (variableFor.get(key) ?? null),
    };
    const section = sectionOf(key);
    sections.set(section, [...(sections.get(section) ?? []), line]);
  }
  return {
    version,
    configFile: loaded.file ?? null,
    database: {
      kind: loaded.config.database.url?.startsWith('postgres') === true ? 'postgres' : 'sqlite',
    },
    redis: { configured: loaded.config.redis.url !== undefined },
    sections: [...sections].map(([name, settings]) => ({ name, settings })),
  };
}
