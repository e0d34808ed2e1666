import type { TokenUsage } from '../contract.js';
import { countField, isJsonObject, type JsonObject } from '../json.js';

function hasCount(object: JsonObject, field: string): boolean {
  return typeof object[field] === 'number';
}

/**
 * Reads OpenAI's `usage` object; undefined when absent, null, or carrying no token count at all,
 * so that the relay counts tokens itself rather than billing an empty `{}` as zero.
 *
 * DeepSeek reports its cache split as `prompt_cache_hit_tokens` / `prompt_cache_miss_tokens`
 * beside (or, in older answers, instead of) OpenAI's `prompt_tokens_details.cached_tokens`.
 */
export function readOpenAIUsage(value: unknown): TokenUsage | undefined {
  if (!isJsonObject(value)) return undefined;
  const hasPrompt = hasCount(value, 'prompt_tokens');
  const hasCacheSplit =
    hasCount(value, 'prompt_cache_hit_tokens') || hasCount(value, 'prompt_cache_miss_tokens');
  const hasCompletion = hasCount(value, 'completion_tokens');
  const hasTotal = hasCount(value, 'total_tokens');
  if (!hasPrompt && !hasCacheSplit && !hasCompletion && !hasTotal) return undefined;

  const completionTokens = countField(value, 'completion_tokens');
  let promptTokens: number;
  if (hasPrompt) promptTokens = countField(value, 'prompt_tokens');
  else if (hasCacheSplit) {
    promptTokens =
      countField(value, 'prompt_cache_hit_tokens') + countField(value, 'prompt_cache_miss_tokens');
  } else promptTokens = Math.max(countField(value, 'total_tokens') - completionTokens, 0);

  const details = isJsonObject(value.prompt_tokens_details)
    ? value.prompt_tokens_details
    : undefined;
  const cachedTokens =
    countField(details, 'cached_tokens') || countField(value, 'prompt_cache_hit_tokens');
  // Cached tokens are part of the prompt; a server claiming more would make the bill negative.
  return { promptTokens, completionTokens, cachedTokens: Math.min(cachedTokens, promptTokens) };
}
