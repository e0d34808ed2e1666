/**
 * Servers that speak OpenAI's format, as data: adding one is adding an entry, not code.
 * Prices are each provider's published list prices per 1M tokens at the time of writing; they are
 * defaults an operator can change with `switchyard models price`.
 */

export interface PresetModel {
  id: string;
  kind: 'chat' | 'embedding';
  prices: { input: string; output: string; cachedInput: string };
  contextWindow?: number;
  maxOutputTokens?: number;
}

export interface OpenAICompatiblePreset {
  name: string;
  baseUrl: string;
  /** Environment variable whose presence registers this provider at start. */
  apiKeyEnvironmentVariable?: string;
  /** Environment variable that overrides the base URL. */
  baseUrlEnvironmentVariable?: string;
  streamUsage: boolean;
  maxTokensField: 'max_tokens' | 'max_completion_tokens';
  models: PresetModel[];
}

export const openAICompatiblePresets: readonly OpenAICompatiblePreset[] = [
  {
    name: 'openai',
    baseUrl: 'https://api.openai.com/v1',
    apiKeyEnvironmentVariable: 'OPENAI_API_KEY',
    baseUrlEnvironmentVariable: 'OPENAI_BASE_URL',
    streamUsage: true,
    maxTokensField: 'max_completion_tokens',
    models: [
      {
        id: 'gpt-4o',
        kind: 'chat',
        prices: { input: '2.50', output: '10.00', cachedInput: '1.25' },
        contextWindow: 128_000,
        maxOutputTokens: 16_384,
      },
      {
        id: 'gpt-4o-mini',
        kind: 'chat',
        prices: { input: '0.15', output: '0.60', cachedInput: '0.075' },
        contextWindow: 128_000,
        maxOutputTokens: 16_384,
      },
      {
        id: 'gpt-4.1',
        kind: 'chat',
        prices: { input: '2.00', output: '8.00', cachedInput: '0.50' },
        contextWindow: 1_047_576,
        maxOutputTokens: 32_768,
      },
      {
        id: 'gpt-4.1-mini',
        kind: 'chat',
        prices: { input: '0.40', output: '1.60', cachedInput: '0.10' },
        contextWindow: 1_047_576,
        maxOutputTokens: 32_768,
      },
      {
        id: 'gpt-4.1-nano',
        kind: 'chat',
        prices: { input: '0.10', output: '0.40', cachedInput: '0.025' },
        contextWindow: 1_047_576,
        maxOutputTokens: 32_768,
      },
      {
        id: 'o4-mini',
        kind: 'chat',
        prices: { input: '1.10', output: '4.40', cachedInput: '0.275' },
        contextWindow: 200_000,
        maxOutputTokens: 100_000,
      },
      {
        id: 'text-embedding-3-small',
        kind: 'embedding',
        prices: { input: '0.02', output: '0', cachedInput: '0' },
        contextWindow: 8_191,
      },
      {
        id: 'text-embedding-3-large',
        kind: 'embedding',
        prices: { input: '0.13', output: '0', cachedInput: '0' },
        contextWindow: 8_191,
      },
    ],
  },
  {
    name: 'deepseek',
    baseUrl: 'https://api.deepseek.com/v1',
    apiKeyEnvironmentVariable: 'DEEPSEEK_API_KEY',
    baseUrlEnvironmentVariable: 'DEEPSEEK_BASE_URL',
    streamUsage: true,
    maxTokensField: 'max_tokens',
    models: [
      {
        id: 'deepseek-chat',
        kind: 'chat',
        prices: { input: '0.28', output: '0.42', cachedInput: '0.028' },
        contextWindow: 128_000,
        maxOutputTokens: 8_192,
      },
      {
        id: 'deepseek-reasoner',
        kind: 'chat',
        prices: { input: '0.28', output: '0.42', cachedInput: '0.028' },
        contextWindow: 128_000,
        maxOutputTokens: 65_536,
      },
    ],
  },
  {
    name: 'groq',
    baseUrl: 'https://api.groq.com/openai/v1',
    streamUsage: true,
    maxTokensField: 'max_tokens',
    models: [],
  },
  {
    name: 'mistral',
    baseUrl: 'https://api.mistral.ai/v1',
    streamUsage: false,
    maxTokensField: 'max_tokens',
    models: [],
  },
  {
    name: 'together',
    baseUrl: 'https://api.together.xyz/v1',
    streamUsage: true,
    maxTokensField: 'max_tokens',
    models: [],
  },
  {
    name: 'openrouter',
    baseUrl: 'https://openrouter.ai/api/v1',
    streamUsage: true,
    maxTokensField: 'max_tokens',
    models: [],
  },
  {
    name: 'vllm',
    baseUrl: 'http://127.0.0.1:8000/v1',
    streamUsage: true,
    maxTokensField: 'max_tokens',
    models: [],
  },
  {
    name: 'ollama',
    baseUrl: 'http://127.0.0.1:11434/v1',
    streamUsage: true,
    maxTokensField: 'max_tokens',
    models: [],
  },
];

/** The preset with this name, if any. */
export function findPreset(name: string): OpenAICompatiblePreset | undefined {
  return openAICompatiblePresets.find((preset) => preset.name === name);
}
