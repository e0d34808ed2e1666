import { describe, it, expect } from 'vitest';
import { assertMatchesOpenAISchema, matchesOpenAISchema } from './openai-schema.js';

function chatCompletion(): Record<string, unknown> {
  return {
    id: 'chatcmpl-1',
    object: 'chat.completion',
    created: 1700000000,
    model: 'gpt-4o-mini',
    choices: [
      {
        index: 0,
        message: { role: 'assistant', content: 'Hello!', refusal: null },
        logprobs: null,
        finish_reason: 'stop',
      },
    ],
    usage: { prompt_tokens: 10, completion_tokens: 5, total_tokens: 15 },
  };
}

function withChoice(patch: (choice: Record<string, unknown>) => void): Record<string, unknown> {
  const completion = chatCompletion();
  const choices = completion.choices as Record<string, unknown>[];
  patch(choices[0] as Record<string, unknown>);
  return completion;
}

function chunk(overrides: Record<string, unknown>): Record<string, unknown> {
  return {
    id: 'chatcmpl-1',
    object: 'chat.completion.chunk',
    created: 1700000000,
    model: 'gpt-4o-mini',
    ...overrides,
  };
}

describe('CreateChatCompletionResponse', () => {
  it('accepts a realistic chat.completion', () => {
    expect(() =>
      assertMatchesOpenAISchema('CreateChatCompletionResponse', chatCompletion()),
    ).not.toThrow();
  });

  it('accepts a tool-call message with null content', () => {
    const completion = withChoice((choice) => {
      choice.finish_reason = 'tool_calls';
      choice.message = {
        role: 'assistant',
        content: null,
        refusal: null,
        tool_calls: [
          {
            id: 'call_1',
            type: 'function',
            function: { name: 'get_weather', arguments: '{"city":"Oslo"}' },
          },
        ],
      };
    });
    expect(matchesOpenAISchema('CreateChatCompletionResponse', completion)).toEqual({
      valid: true,
      errors: [],
    });
  });

  it('rejects an unknown finish_reason and names the path and allowed values', () => {
    const result = matchesOpenAISchema(
      'CreateChatCompletionResponse',
      withChoice((choice) => {
        choice.finish_reason = 'banana';
      }),
    );
    expect(result.valid).toBe(false);
    expect(result.errors).toContainEqual(
      expect.stringMatching(/^\/choices\/0\/finish_reason .*allowed values.*"stop".*got "banana"/),
    );
  });

  it('rejects a response without choices', () => {
    const completion = chatCompletion();
    delete completion.choices;
    expect(() => assertMatchesOpenAISchema('CreateChatCompletionResponse', completion)).toThrow(
      /must have required property 'choices'[\s\S]*Value: \{"id":"chatcmpl-1"/,
    );
  });

  it('requires message.refusal and choice.logprobs even when they are null', () => {
    const noRefusal = withChoice((choice) => {
      choice.message = { role: 'assistant', content: 'Hello!' };
    });
    const noLogprobs = withChoice((choice) => {
      delete choice.logprobs;
    });
    expect(matchesOpenAISchema('CreateChatCompletionResponse', noRefusal).errors).toEqual([
      "/choices/0/message must have required property 'refusal'",
    ]);
    expect(matchesOpenAISchema('CreateChatCompletionResponse', noLogprobs).errors).toEqual([
      "/choices/0 must have required property 'logprobs'",
    ]);
  });

  it('rejects a null finish_reason, which only stream chunks may carry', () => {
    const completion = withChoice((choice) => {
      choice.finish_reason = null;
    });
    expect(matchesOpenAISchema('CreateChatCompletionResponse', completion).valid).toBe(false);
  });
});

describe('CreateChatCompletionStreamResponse', () => {
  it('accepts a first chunk with a null finish_reason (spec uses OpenAPI nullable here)', () => {
    const first = chunk({
      choices: [
        {
          index: 0,
          delta: { role: 'assistant', content: '', refusal: null },
          logprobs: null,
          finish_reason: null,
        },
      ],
      usage: null,
    });
    expect(() =>
      assertMatchesOpenAISchema('CreateChatCompletionStreamResponse', first),
    ).not.toThrow();
  });

  it('accepts a tool-call delta', () => {
    const toolDelta = chunk({
      choices: [
        {
          index: 0,
          delta: {
            tool_calls: [
              {
                index: 0,
                id: 'call_1',
                type: 'function',
                function: { name: 'get_weather', arguments: '{"ci' },
              },
            ],
          },
          logprobs: null,
          finish_reason: null,
        },
      ],
    });
    expect(() =>
      assertMatchesOpenAISchema('CreateChatCompletionStreamResponse', toolDelta),
    ).not.toThrow();
  });

  it('accepts the final usage chunk with empty choices', () => {
    const usageChunk = chunk({
      choices: [],
      usage: { prompt_tokens: 10, completion_tokens: 5, total_tokens: 15 },
    });
    expect(() =>
      assertMatchesOpenAISchema('CreateChatCompletionStreamResponse', usageChunk),
    ).not.toThrow();
  });

  it('rejects a chunk whose choice lacks finish_reason or has a bad one', () => {
    const missing = chunk({ choices: [{ index: 0, delta: { content: 'x' } }] });
    const bad = chunk({ choices: [{ index: 0, delta: {}, finish_reason: 'done' }] });
    expect(matchesOpenAISchema('CreateChatCompletionStreamResponse', missing).errors).toEqual([
      "/choices/0 must have required property 'finish_reason'",
    ]);
    expect(matchesOpenAISchema('CreateChatCompletionStreamResponse', bad).valid).toBe(false);
  });

  it('rejects a chunk with the wrong object type', () => {
    const wrong = chunk({ object: 'chat.completion', choices: [] });
    expect(() => assertMatchesOpenAISchema('CreateChatCompletionStreamResponse', wrong)).toThrow(
      /\/object must be equal to one of the allowed values \["chat\.completion\.chunk"\]/,
    );
  });
});

describe('CreateEmbeddingResponse', () => {
  const floats = {
    object: 'list',
    data: [{ object: 'embedding', index: 0, embedding: [0.0023, -0.0093, 0.015] }],
    model: 'text-embedding-3-small',
    usage: { prompt_tokens: 8, total_tokens: 8 },
  };

  it('accepts float-array embeddings', () => {
    expect(() => assertMatchesOpenAISchema('CreateEmbeddingResponse', floats)).not.toThrow();
  });

  it('rejects base64 string embeddings: the spec only models number arrays', () => {
    // The request schema allows encoding_format: 'base64', but the response schema has no
    // string branch for `embedding`, so base64 responses cannot be schema-checked.
    const base64 = {
      ...floats,
      data: [{ object: 'embedding', index: 0, embedding: 'AACAPwAAAEA=' }],
    };
    expect(matchesOpenAISchema('CreateEmbeddingResponse', base64).errors).toEqual([
      '/data/0/embedding must be array (got "AACAPwAAAEA=")',
    ]);
    expect(
      matchesOpenAISchema('CreateEmbeddingRequest', {
        model: 'text-embedding-3-small',
        input: 'hi',
        encoding_format: 'base64',
      }).valid,
    ).toBe(true);
  });

  it('rejects a response without usage', () => {
    const noUsage: Record<string, unknown> = { ...floats };
    delete noUsage.usage;
    expect(matchesOpenAISchema('CreateEmbeddingResponse', noUsage).valid).toBe(false);
  });
});

describe('ListModelsResponse and Model', () => {
  const model = { id: 'gpt-4o-mini', object: 'model', created: 1700000000, owned_by: 'openai' };

  it('accepts a list of models', () => {
    const list = { object: 'list', data: [model, { ...model, id: 'text-embedding-3-small' }] };
    expect(() => assertMatchesOpenAISchema('ListModelsResponse', list)).not.toThrow();
    expect(() => assertMatchesOpenAISchema('Model', model)).not.toThrow();
  });

  it('rejects a model without owned_by', () => {
    const noOwner: Record<string, unknown> = { ...model };
    delete noOwner.owned_by;
    expect(matchesOpenAISchema('Model', noOwner).errors).toEqual([
      "/ must have required property 'owned_by'",
    ]);
  });
});

describe('ErrorResponse', () => {
  it('accepts the OpenAI error envelope', () => {
    const envelope = {
      error: { message: 'm', type: 'invalid_request_error', param: null, code: 'invalid_api_key' },
    };
    expect(() => assertMatchesOpenAISchema('ErrorResponse', envelope)).not.toThrow();
  });

  it('requires param and code to be present, even if null', () => {
    const envelope = { error: { message: 'm', type: 'invalid_request_error' } };
    expect(matchesOpenAISchema('ErrorResponse', envelope).errors).toEqual([
      "/error must have required property 'param'",
      "/error must have required property 'code'",
    ]);
  });
});

describe('request schemas', () => {
  it('accepts a minimal chat request and OpenAPI-nullable parameters set to null', () => {
    const request = {
      model: 'gpt-4o-mini',
      messages: [{ role: 'user', content: 'hi' }],
      max_completion_tokens: null,
      stop: null,
      n: null,
    };
    expect(() => assertMatchesOpenAISchema('CreateChatCompletionRequest', request)).not.toThrow();
  });

  it('rejects a chat request without messages', () => {
    expect(matchesOpenAISchema('CreateChatCompletionRequest', { model: 'gpt-4o-mini' }).valid).toBe(
      false,
    );
  });
});
