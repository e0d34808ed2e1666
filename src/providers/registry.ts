import type { ProviderRecord } from '../store/records.js';
import { createAnthropicAdapter } from './anthropic/adapter.js';
import { createAzureOpenAIAdapter } from './azure/adapter.js';
import type { ProviderAdapter } from './contract.js';
import { createGeminiAdapter } from './gemini/adapter.js';
import { createOpenAICompatibleAdapter } from './openai-compatible/adapter.js';

/**
 * Picks the adapter for a provider from its kind and settings. The relay only ever sees the
 * `ProviderAdapter` interface, so it never branches on which provider it is talking to.
 */
export function adapterFor(provider: ProviderRecord): ProviderAdapter {
  const { settings } = provider;
  switch (provider.kind) {
    case 'openai-compatible':
      return createOpenAICompatibleAdapter({ maxTokensField: settings.maxTokensField });
    case 'azure':
      return createAzureOpenAIAdapter({
        apiVersion: settings.apiVersion ?? '2024-10-21',
        maxTokensField: settings.maxTokensField,
      });
    case 'anthropic':
      return createAnthropicAdapter({
        ...(settings.anthropicVersion === undefined
          ? {}
          : { anthropicVersion: settings.anthropicVersion }),
        ...(settings.defaultMaxTokens === undefined
          ? {}
          : { defaultMaxTokens: settings.defaultMaxTokens }),
      });
    case 'gemini':
      return createGeminiAdapter(
        settings.apiVersion === undefined ? {} : { apiVersion: settings.apiVersion },
      );
  }
}
