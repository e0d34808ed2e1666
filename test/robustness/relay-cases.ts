import {
  badValue,
  deeplyNested,
  longString,
  malformedBodies,
  truncated,
  withValueAt,
  withoutValueAt,
} from './bad-values.js';
import type { FuzzCase } from './fuzz-client.js';
import type { SeededRandom } from './seeded-random.js';

/** Models of the fuzz gateway whose upstream speaks another protocol: they always fail (502). */
export const unreachableModels = ['fuzz-anthropic', 'fuzz-gemini'] as const;

const chatBase = {
  model: 'mock-chat',
  messages: [
    { role: 'system', content: 'Be brief.' },
    { role: 'user', content: [{ type: 'text', text: 'Say hi' }] },
  ],
  max_tokens: 5,
};
const embeddingsBase = { model: 'mock-embed', input: ['hello', 'world'] };

const chatPaths: readonly (readonly (string | number)[])[] = [
  ['model'],
  ['messages'],
  ['messages', 0],
  ['messages', 0, 'role'],
  ['messages', 0, 'content'],
  ['messages', 1, 'content', 0],
  ['messages', 1, 'content', 0, 'type'],
  ['messages', 1, 'content', 0, 'text'],
  ['messages', 1, 'name'],
  ['messages', 5],
  ['stream'],
  ['stream_options'],
  ['stream_options', 'include_usage'],
  ['temperature'],
  ['top_p'],
  ['max_tokens'],
  ['max_completion_tokens'],
  ['n'],
  ['stop'],
  ['tools'],
  ['tools', 0, 'function', 'parameters'],
  ['tool_choice'],
  ['response_format'],
  ['logit_bias'],
  ['seed'],
  ['user'],
  ['metadata'],
  ['an_unknown_field'],
  ['__proto__'],
  ['constructor'],
];
const embeddingsPaths: readonly (readonly (string | number)[])[] = [
  ['model'],
  ['input'],
  ['input', 0],
  ['input', 3],
  ['encoding_format'],
  ['dimensions'],
  ['user'],
  ['an_unknown_field'],
  ['__proto__'],
];

const relayPrefixes = ['/api/v1', '/v1'];

interface Keys {
  /** A funded key that may use every model. */
  valid: string;
  /** A key that may use only mock-embed. */
  restricted: string;
  disabled: string;
  expired: string;
  /** An account whose wallet holds nothing. */
  broke: string;
}

function authorization(random: SeededRandom, keys: Keys): Record<string, string | string[]> {
  const roll = random.next();
  if (roll < 0.8) return { authorization: `Bearer ${keys.valid}` };
  return random.pick<Record<string, string | string[]>>([
    {},
    { authorization: '' },
    { authorization: 'Bearer' },
    { authorization: 'Bearer ' },
    { authorization: `bearer ${keys.valid}` },
    { authorization: `BEARER\t${keys.valid}` },
    { authorization: `Bearer ${keys.valid} extra` },
    { authorization: `Basic ${Buffer.from(`user:${keys.valid}`).toString('base64')}` },
    { authorization: `Token ${keys.valid}` },
    { authorization: keys.valid },
    { authorization: `Bearer ${keys.valid.slice(0, -1)}` },
    { authorization: `Bearer sk-${'A'.repeat(8_000)}` },
    { authorization: 'Bearer sk-%00%0d%0a' },
    { authorization: 'Bearer \u00ff\u00fe\u00e9' },
    { authorization: [`Bearer ${keys.valid}`, 'Bearer sk-other'] },
    { 'x-api-key': keys.valid },
    { 'api-key': ` ${keys.valid} ` },
    { 'x-api-key': '' },
    { authorization: `Bearer ${keys.restricted}` },
    { authorization: `Bearer ${keys.disabled}` },
    { authorization: `Bearer ${keys.expired}` },
    { authorization: `Bearer ${keys.broke}` },
    { authorization: `Bearer ${keys.valid}`, 'x-junk': 'a'.repeat(4_000) },
  ]);
}

function contentType(random: SeededRandom): Record<string, string> {
  if (random.chance(0.85)) return { 'content-type': 'application/json' };
  return {
    'content-type': random.pick([
      'text/plain',
      'application/x-www-form-urlencoded',
      'multipart/form-data; boundary=x',
      'application/json; charset=utf-16',
      'application/json; charset=latin1',
      'application/octet-stream',
      '*/*',
      'application/json, text/plain',
      ';;;',
    ]),
  };
}

function model(random: SeededRandom, fallback: string): string {
  if (random.chance(0.85)) return fallback;
  return random.pick([
    ...unreachableModels,
    'mock-embed',
    'mock-chat',
    'gpt-4o',
    '',
    ' mock-chat',
    'MOCK-CHAT',
    'mock-chat\u0000',
    '../mock-chat',
    'x'.repeat(5_000),
  ]);
}

function bodyFor(random: SeededRandom, embeddings: boolean): { kind: string; body: string } {
  const base = embeddings
    ? { ...embeddingsBase, model: model(random, 'mock-embed') }
    : {
        ...chatBase,
        model: model(random, 'mock-chat'),
        ...(random.chance(0.3) ? { stream: true, stream_options: { include_usage: true } } : {}),
      };
  const paths = embeddings ? embeddingsPaths : chatPaths;
  const roll = random.next();
  if (roll < 0.1) return { kind: 'valid', body: JSON.stringify(base) };
  if (roll < 0.55) {
    return { kind: 'wrong-type', body: withValueAt(base, random.pick(paths), badValue(random)) };
  }
  if (roll < 0.62) return { kind: 'missing-field', body: withoutValueAt(base, random.pick(paths)) };
  if (roll < 0.72) return { kind: 'truncated-json', body: truncated(random, JSON.stringify(base)) };
  if (roll < 0.8) return { kind: 'malformed-json', body: random.pick(malformedBodies) };
  if (roll < 0.87) {
    return {
      kind: 'long-string',
      body: withValueAt(base, random.pick(paths), longString(random, 30_000)),
    };
  }
  if (roll < 0.94) {
    const raw = random.pick([
      '"\\ud800"',
      '"\\udfff\\ud800"',
      '"\\u0000"',
      '"\\u202e\\u200f"',
      '"\\ufeff\\ufffe"',
      '"a\\u0000\\u0001\\u001f"',
      '"\\ud83d\\ude00\\ud83d"',
    ]);
    return { kind: 'odd-unicode', body: withValueAt(base, random.pick(paths), raw) };
  }
  // Random bytes, including invalid UTF-8.
  const bytes = Buffer.alloc(random.integer(1, 300));
  for (let index = 0; index < bytes.length; index += 1) bytes[index] = random.integer(0, 255);
  return { kind: 'random-bytes', body: bytes.toString('latin1') };
}

/** A generated relay request: chat, embeddings or the model list, mostly broken somehow. */
export function relayCase(random: SeededRandom, keys: Keys): FuzzCase {
  const prefix = random.pick(relayPrefixes);
  const roll = random.next();
  const headers = () => ({ ...authorization(random, keys), ...contentType(random) });
  if (roll < 0.55 || roll >= 0.8) {
    const embeddings = roll >= 0.8;
    const { kind, body } = bodyFor(random, embeddings);
    return {
      kind: `${embeddings ? 'embeddings' : 'chat'}:${kind}`,
      method: 'POST',
      path: `${prefix}/${embeddings ? 'embeddings' : 'chat/completions'}`,
      headers: headers(),
      body: kind === 'random-bytes' ? Buffer.from(body, 'latin1') : body,
      upstreamMayFail: unreachableModels.some((name) => body.includes(name)),
    };
  }
  if (roll < 0.65) {
    const id = random.pick([
      'mock-chat',
      'mock-embed',
      'nope',
      '',
      '..%2f..%2fetc%2fpasswd',
      '%2e%2e%2f%2e%2e%2f',
      '%00',
      '%ZZ',
      '%E0%A4%A',
      '%F0%9F%98',
      '%ED%A0%80',
      '%C0%AE%C0%AE',
      'a'.repeat(600),
      'mock-chat%20',
      'mock-chat/extra/parts',
      'mock-chat?x=1',
      '%u202e',
      '\u00e9',
    ]);
    return {
      kind: 'models:id',
      method: random.pick(['GET', 'GET', 'GET', 'HEAD', 'POST', 'DELETE']),
      path: `${prefix}/models/${id}`,
      headers: authorization(random, keys),
      // A raw non-ASCII byte in the request target is refused by Node's parser itself.
      belowTheGateway: /[^\x20-\x7e]/.test(id),
    };
  }
  if (roll < 0.72) {
    return {
      kind: 'models:list',
      method: random.pick(['GET', 'HEAD', 'PUT', 'PATCH', 'OPTIONS']),
      path: `${prefix}/models${random.pick(['', '/', '?limit=-1', '?a=%', '?__proto__[x]=1', '//'])}`,
      headers: authorization(random, keys),
    };
  }
  // Routes that do not exist, or exist for another method.
  return {
    kind: 'wrong-method-or-route',
    method: random.pick(['GET', 'PUT', 'DELETE', 'PATCH', 'OPTIONS', 'PROPFIND', 'PURGE', 'TRACE']),
    path: `${prefix}/${random.pick(['chat/completions', 'embeddings', 'completions', 'responses', 'files', 'chat', ''])}`,
    headers: headers(),
  };
}

/** Every kind of request the gateway must refuse whole, before any route: one of each. */
export function edgeCases(keys: Keys, bodyLimitBytes: number): FuzzCase[] {
  const auth = { authorization: `Bearer ${keys.valid}`, 'content-type': 'application/json' };
  const chat = (body: string, kind: string): FuzzCase => ({
    kind,
    method: 'POST',
    path: '/api/v1/chat/completions',
    headers: auth,
    body,
  });
  const cases: FuzzCase[] = [];
  for (const depth of [10_000, 20_000]) {
    for (const shape of ['array', 'object'] as const) {
      const nested = deeplyNested(depth, shape);
      if (nested.length + 200 > bodyLimitBytes) continue;
      cases.push(chat(nested, `deep:${shape}:${depth}:body`));
      cases.push(chat(withValueAt(chatBase, ['model'], nested), `deep:${shape}:${depth}:model`));
      cases.push(
        chat(
          withValueAt(chatBase, ['messages', 0, 'content'], nested),
          `deep:${shape}:${depth}:content`,
        ),
      );
      cases.push(
        chat(withValueAt(chatBase, ['an_unknown_field'], nested), `deep:${shape}:${depth}:extra`),
      );
      cases.push({
        kind: `deep:${shape}:${depth}:embeddings-input`,
        method: 'POST',
        path: '/api/v1/embeddings',
        headers: auth,
        body: withValueAt(embeddingsBase, ['input'], nested),
      });
    }
  }
  // Numbers that are valid JSON and valid integers, but absurd: the hold must refuse them (402),
  // not overflow into a float amount the database or a message cannot take.
  const huge = Number.MAX_SAFE_INTEGER;
  for (const [kind, extra] of [
    ['huge:max_tokens', { max_tokens: huge }],
    ['huge:max_tokens-n', { max_tokens: huge, n: 128 }],
    ['huge:max_completion_tokens-stream', { max_completion_tokens: huge, stream: true }],
    ['huge:n-without-max', { max_tokens: undefined, n: 128 }],
    ['huge:temperature-epsilon', { temperature: 2.0000000000000004 }],
  ] as const) {
    cases.push(chat(JSON.stringify({ ...chatBase, ...extra }), kind));
  }
  cases.push({
    kind: 'content-encoding-lie',
    method: 'POST',
    path: '/api/v1/chat/completions',
    headers: { ...auth, 'content-encoding': 'gzip' },
    body: JSON.stringify(chatBase),
  });
  for (const size of [bodyLimitBytes + 1, bodyLimitBytes * 2, bodyLimitBytes * 16]) {
    cases.push(
      chat(withValueAt(chatBase, ['user'], JSON.stringify('x'.repeat(size))), `oversized:${size}`),
    );
  }
  const traversal = [
    '/../../etc/passwd',
    '/%2e%2e/%2e%2e/etc/passwd',
    '/%2e%2e%2f%2e%2e%2fetc%2fpasswd',
    '/..%2f..%2fetc%2fpasswd',
    '/api/v1/models/..%2f..%2f',
    '/api/v1/models/..%2f..%2f..%2fetc%2fpasswd',
    '/api/v1/../../etc/passwd',
    '/api/v1/%2e%2e/%2e%2e/etc/passwd',
    '/api/manage/../../etc/passwd',
    '/assets/../../../../etc/passwd',
    '/static/..%5c..%5c..%5cwindows%5cwin.ini',
    '/index.html/../../etc/passwd',
    '/.env',
    '/.git/config',
    '/data/switchyard.db',
    '/switchyard.yaml',
    '/%00',
    '/api/v1/models%00',
    '/api/v1/models/%c0%ae%c0%ae/%c0%ae%c0%ae/etc/passwd',
    '/api/v1/models/....//....//etc/passwd',
  ];
  for (const path of traversal) {
    cases.push({
      kind: 'traversal',
      method: 'GET',
      path,
      headers: { authorization: auth.authorization },
    });
  }
  for (const path of [`/${'a/'.repeat(2_000)}`, `/api/v1/models?${'a=1&'.repeat(3_000)}`]) {
    cases.push({
      kind: 'long-url',
      method: 'GET',
      path,
      headers: { authorization: auth.authorization },
    });
  }
  for (const method of ['FOO', 'BREW', 'M-SEARCH-X']) {
    cases.push({
      kind: `unknown-method:${method}`,
      method,
      path: '/api/v1/models',
      headers: { authorization: auth.authorization },
      belowTheGateway: true,
    });
  }
  cases.push({
    kind: 'huge-header',
    method: 'GET',
    path: '/api/v1/models',
    headers: { authorization: auth.authorization, 'x-junk': 'a'.repeat(70_000) },
    belowTheGateway: true,
  });
  cases.push({
    kind: 'huge-authorization',
    method: 'GET',
    path: '/api/v1/models',
    headers: { authorization: `Bearer sk-${'b'.repeat(70_000)}` },
    belowTheGateway: true,
  });
  cases.push({
    kind: 'many-headers',
    method: 'GET',
    path: '/api/v1/models',
    headers: Object.fromEntries([
      ['authorization', auth.authorization],
      ...Array.from({ length: 3_000 }, (_, index) => [`x-h${index}`, 'v']),
    ]) as Record<string, string>,
    belowTheGateway: true,
  });
  return cases;
}
