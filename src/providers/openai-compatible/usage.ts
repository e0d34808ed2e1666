import type { TokenUsage } from '../contract.js';
import { countField, isJsonObject } from '../json.js';

/** Reads OpenAI's `usage` object; undefined when absent or null. */
export function readOpenAIUsage(value: unknown): TokenUsage | undefined {
  if (!isJsonObject(value)) return undefined;
  const details = isJsonObject(value.prompt_tokens_details)
    ? value.prompt_tokens_details
    : undefined;
  return {
    promptTokens: countField(value, 'prompt_tokens'),
    completionTokens: countField(value, 'completion_tokens'),
    cachedTokens:
      countField(details, 'cached_tokens') || countField(value, 'prompt_cache_hit_tokens'),
  };
}
