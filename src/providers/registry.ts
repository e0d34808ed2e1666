import type { ProviderRecord } from '../store/records.js';
import type { ProviderAdapter } from './contract.js';
import { createOpenAICompatibleAdapter } from './openai-compatible/adapter.js';

/**
 * Picks the adapter for a provider from its kind and settings. The relay only ever sees the
 * `ProviderAdapter` interface, so it never branches on which provider it is talking to.
 */
export function adapterFor(provider: ProviderRecord): ProviderAdapter {
  switch (provider.kind) {
    case 'openai-compatible':
      return createOpenAICompatibleAdapter({ maxTokensField: provider.settings.maxTokensField });
  }
}
