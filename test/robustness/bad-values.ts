import type { SeededRandom } from './seeded-random.js';

/**
 * Hostile values as raw JSON text, so the ones JavaScript cannot hold (1e309, a lone surrogate
 * escape, an integer past 2^64) reach the gateway exactly as written.
 */
export const badJsonValues: readonly string[] = [
  'null',
  'true',
  'false',
  '0',
  '-0',
  '-1',
  '1.5',
  '-2147483649',
  '1e308',
  '1e309',
  '-1e309',
  '1e-400',
  '9007199254740993',
  '18446744073709551616',
  '123456789012345678901234567890',
  '"NaN"',
  '"Infinity"',
  '"-Infinity"',
  '"1e3"',
  '"0x10"',
  '"12abc"',
  '""',
  '" "',
  '"\\u0000"',
  '"a\\u0000b"',
  '"\\ud800"',
  '"\\udfff"',
  '"\\udc00\\ud800"',
  '"x\\ud83d"',
  '"\\u202egnp.exe"',
  '"\\u200f\\u200e\\u202b"',
  '"\\ufeff"',
  '"\\u200d\\u200d"',
  '"\\uffff\\ufffe"',
  '"e\\u0301\\u0301\\u0301\\u0301"',
  '"😀👩‍👩‍👧‍👦"',
  '"null"',
  '"undefined"',
  '"true"',
  '"<script>alert(1)</script>"',
  '"\'; DROP TABLE accounts; --"',
  '"../../etc/passwd"',
  '"%00%2e%2e%2f"',
  '"${jndi:ldap://127.0.0.1/x}"',
  '"{{7*7}}"',
  '"\\r\\nX-Injected: yes"',
  '[]',
  '{}',
  '[null]',
  '[[]]',
  '[{}]',
  '[1,"a",null,{},[]]',
  '{"__proto__":{"polluted":true}}',
  '{"constructor":{"prototype":{"polluted":true}}}',
  '{"toString":1,"valueOf":"x","hasOwnProperty":null}',
];

/** A JSON string literal of `length` characters, from a pick of alphabets (ASCII, CJK, emoji…). */
export function longString(random: SeededRandom, length: number): string {
  const alphabet = random.pick([
    'abcdefghijklmnopqrstuvwxyz ',
    '日本語中文한국어',
    '😀🚀👍🏽🇺🇳',
    '\u202e\u200f\u061c abc',
    '"\\\u0000\u0001\u001f',
  ]);
  return JSON.stringify(random.text(length, alphabet));
}

/** `depth` nested arrays or objects around a scalar, as JSON text. */
export function deeplyNested(depth: number, shape: 'array' | 'object'): string {
  return shape === 'array'
    ? `${'['.repeat(depth)}1${']'.repeat(depth)}`
    : `${'{"a":'.repeat(depth)}1${'}'.repeat(depth)}`;
}

/** One hostile value: mostly from the list, sometimes long, wide or deeply nested. */
export function badValue(random: SeededRandom): string {
  const roll = random.next();
  if (roll < 0.75) return random.pick(badJsonValues);
  if (roll < 0.85) return longString(random, random.integer(1_000, 12_000));
  if (roll < 0.9) return `[${Array.from({ length: 3_000 }, () => '1').join(',')}]`;
  if (roll < 0.95) {
    const keys = Array.from({ length: 1_000 }, (_, index) => `"k${index}":${index}`);
    return `{${keys.join(',')}}`;
  }
  return deeplyNested(random.pick([100, 1_000]), random.pick(['array', 'object'] as const));
}

/** Bodies that are not JSON, or not the JSON object a route expects. */
export const malformedBodies: readonly string[] = [
  '{',
  '}',
  '[',
  '{"model":}',
  '{"model":"mock-chat",}',
  "{'model':'mock-chat'}",
  '{"model":"mock-chat" "messages":[]}',
  '{model:"mock-chat"}',
  'NaN',
  'undefined',
  'null',
  'true',
  '0',
  '"a string"',
  '[]',
  '[{"model":"mock-chat"}]',
  '{"model":"mock-chat","model":"mock-embed","messages":[{"role":"user","content":"x"}]}',
  '\ufeff{"model":"mock-chat"}',
  '{"a":"\\x41"}',
  '{"a":"\\u12"}',
  '{"a":"\t"}',
  '{"a":01}',
  '{"a":.5}',
  '{"a":+1}',
  '{"a":1e}',
  '{"a":--1}',
  '{"a":Infinity}',
  '{"a":"unterminated}',
  '/* comment */ {}',
  '{} {}',
  '{}garbage',
  'model=mock-chat&messages=hi',
  '<?xml version="1.0"?><model>mock-chat</model>',
  '\u0000\u0000\u0000',
];

type Container = Record<string | number, unknown>;

// Defined, not assigned: a `__proto__` key must become an own property that JSON then carries.
function setOwn(target: Container, key: string | number, value: unknown): void {
  Object.defineProperty(target, key, {
    value,
    enumerable: true,
    writable: true,
    configurable: true,
  });
}

/** Sets the raw JSON `raw` at `path` in a copy of `base`, creating objects on the way. */
export function withValueAt(
  base: unknown,
  path: readonly (string | number)[],
  raw: string,
): string {
  const placeholder = '@@fuzz-value@@';
  const copy = structuredClone(base) as Container;
  let cursor: Container = copy;
  for (const [index, part] of path.entries()) {
    if (index === path.length - 1) {
      setOwn(cursor, part, placeholder);
      break;
    }
    const next = Object.hasOwn(cursor, part) ? cursor[part] : undefined;
    if (typeof next === 'object' && next !== null) {
      cursor = next as Container;
      continue;
    }
    const created = (typeof path[index + 1] === 'number' ? [] : {}) as Container;
    setOwn(cursor, part, created);
    cursor = created;
  }
  return JSON.stringify(copy).replace(`"${placeholder}"`, () => raw);
}

/** A copy of `base` with the field at `path` removed, as JSON text. */
export function withoutValueAt(base: unknown, path: readonly (string | number)[]): string {
  const copy = structuredClone(base) as Record<string | number, unknown>;
  let cursor: Record<string | number, unknown> | undefined = copy;
  for (const part of path.slice(0, -1)) {
    const next: unknown = cursor?.[part];
    cursor = typeof next === 'object' && next !== null ? (next as typeof cursor) : undefined;
  }
  const last = path[path.length - 1];
  if (cursor && last !== undefined) {
    if (Array.isArray(cursor) && typeof last === 'number') cursor.splice(last, 1);
    else delete cursor[last];
  }
  return JSON.stringify(copy);
}

/** Cuts valid JSON somewhere strictly inside it. */
export function truncated(random: SeededRandom, json: string): string {
  return json.slice(0, random.integer(1, Math.max(1, json.length - 1)));
}
