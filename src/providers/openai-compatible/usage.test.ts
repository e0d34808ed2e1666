import { describe, expect, it } from 'vitest';
import { readOpenAIUsage } from './usage.js';

describe('readOpenAIUsage', () => {
  it.each([[undefined], [null], ['12'], [42], [[]], [{}], [{ prompt_tokens_details: {} }]])(
    'reports no usage for %j',
    (value) => {
      expect(readOpenAIUsage(value)).toBeUndefined();
    },
  );

  it('reads OpenAI’s usage with its cached prompt tokens', () => {
    expect(
      readOpenAIUsage({
        prompt_tokens: 2006,
        completion_tokens: 300,
        total_tokens: 2306,
        prompt_tokens_details: { cached_tokens: 1920, audio_tokens: 0 },
        completion_tokens_details: { reasoning_tokens: 128, accepted_prediction_tokens: 0 },
      }),
    ).toEqual({ promptTokens: 2006, completionTokens: 300, cachedTokens: 1920 });
  });

  it('reads DeepSeek’s prompt_cache_hit_tokens', () => {
    expect(
      readOpenAIUsage({
        prompt_tokens: 1000,
        completion_tokens: 256,
        total_tokens: 1256,
        prompt_cache_hit_tokens: 800,
        prompt_cache_miss_tokens: 200,
      }),
    ).toEqual({ promptTokens: 1000, completionTokens: 256, cachedTokens: 800 });
  });

  it('prefers a cache hit count over a zero cached_tokens beside it', () => {
    expect(
      readOpenAIUsage({
        prompt_tokens: 640,
        completion_tokens: 1,
        prompt_tokens_details: { cached_tokens: 0 },
        prompt_cache_hit_tokens: 512,
      }),
    ).toEqual({ promptTokens: 640, completionTokens: 1, cachedTokens: 512 });
  });

  it('adds up the cache split when prompt_tokens is missing', () => {
    expect(
      readOpenAIUsage({
        prompt_cache_hit_tokens: 800,
        prompt_cache_miss_tokens: 200,
        completion_tokens: 256,
        total_tokens: 1256,
      }),
    ).toEqual({ promptTokens: 1000, completionTokens: 256, cachedTokens: 800 });
  });

  it('derives the prompt from the total when only the total is given', () => {
    expect(readOpenAIUsage({ total_tokens: 13 })).toEqual({
      promptTokens: 13,
      completionTokens: 0,
      cachedTokens: 0,
    });
    expect(readOpenAIUsage({ completion_tokens: 5, total_tokens: 13 })).toEqual({
      promptTokens: 8,
      completionTokens: 5,
      cachedTokens: 0,
    });
  });

  it('reads embeddings usage, which has no completion tokens', () => {
    expect(readOpenAIUsage({ prompt_tokens: 8, total_tokens: 8 })).toEqual({
      promptTokens: 8,
      completionTokens: 0,
      cachedTokens: 0,
    });
  });

  it('never reports more cached tokens than prompt tokens', () => {
    expect(
      readOpenAIUsage({ prompt_tokens: 10, prompt_tokens_details: { cached_tokens: 64 } }),
    ).toEqual({ promptTokens: 10, completionTokens: 0, cachedTokens: 10 });
  });

  it('counts fields of the wrong type or sign as zero', () => {
    expect(
      readOpenAIUsage({
        prompt_tokens: -5,
        completion_tokens: 2.5,
        prompt_tokens_details: { cached_tokens: '3' },
      }),
    ).toEqual({ promptTokens: 0, completionTokens: 0, cachedTokens: 0 });
  });
});
