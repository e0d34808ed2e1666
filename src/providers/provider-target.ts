import type { ProviderRecord } from '../store/records.js';
import type { UpstreamTarget } from './contract.js';

/** Where and how to reach a provider for one upstream model, with its secret already opened. */
export function providerTarget(
  provider: ProviderRecord,
  apiKey: string | null,
  upstreamModel: string,
): UpstreamTarget {
  const url = new URL(provider.baseUrl);
  return {
    origin: url.origin,
    basePath: url.pathname.replace(/\/+$/, ''),
    apiKey,
    upstreamModel,
    streamUsage: provider.settings.streamUsage,
    extraHeaders: provider.settings.headers,
  };
}
