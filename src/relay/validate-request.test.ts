import { describe, expect, it } from 'vitest';
import { GatewayError } from '../errors/gateway-error.js';
import { validateChatRequest, validateEmbeddingsRequest } from './validate-request.js';

/** The GatewayError that `action` throws; fails the test when it does not throw one. */
function rejection(action: () => unknown): GatewayError {
  try {
    action();
  } catch (error) {
    expect(error).toBeInstanceOf(GatewayError);
    return error as GatewayError;
  }
  throw new Error('expected a GatewayError');
}

const messages = [{ role: 'user', content: 'Hello!' }];

describe('validateChatRequest', () => {
  it('accepts a minimal request and returns the same object', () => {
    const body = { model: 'deepseek-chat', messages };
    expect(validateChatRequest(body)).toBe(body);
  });

  it('keeps unknown fields untouched, in the same object', () => {
    const body = {
      model: 'm',
      messages: [{ role: 'user', content: 'x', name: 'ann', extra: { nested: true } }],
      tools: [{ type: 'function', function: { name: 'f' } }],
      response_format: { type: 'json_object' },
      seed: 7,
      stream: true,
      stream_options: { include_usage: true, future_option: 1 },
      temperature: 0,
      max_tokens: 1,
      max_completion_tokens: 100,
      n: 2,
    };
    const snapshot = structuredClone(body);
    const validated = validateChatRequest(body);
    expect(validated).toBe(body);
    expect(validated).toEqual(snapshot);
  });

  it('accepts null for optional settings, as OpenAI does', () => {
    const body = { model: 'm', messages, temperature: null, max_tokens: null, stream: null };
    expect(validateChatRequest(body)).toBe(body);
  });

  it('asks for a missing model by name', () => {
    const error = rejection(() => validateChatRequest({ messages }));
    expect(error).toMatchObject({
      code: 'missing_required_parameter',
      param: 'model',
      status: 400,
      type: 'invalid_request_error',
    });
    expect(error.message).toContain("'model'");
  });

  it('asks for missing messages by name', () => {
    expect(rejection(() => validateChatRequest({ model: 'm' }))).toMatchObject({
      code: 'missing_required_parameter',
      param: 'messages',
    });
  });

  it('names a message without a role by its place', () => {
    expect(
      rejection(() => validateChatRequest({ model: 'm', messages: [{ content: 'x' }] })),
    ).toMatchObject({ code: 'missing_required_parameter', param: 'messages[0].role' });
  });

  it('rejects messages that are not an array', () => {
    const error = rejection(() => validateChatRequest({ model: 'm', messages: 'hello' }));
    expect(error).toMatchObject({ code: 'invalid_value', param: 'messages' });
    expect(error.message).toContain('array');
    expect(error.message).toContain('"hello"');
  });

  it('rejects an empty messages array', () => {
    expect(rejection(() => validateChatRequest({ model: 'm', messages: [] }))).toMatchObject({
      code: 'invalid_value',
      param: 'messages',
    });
  });

  it('rejects a model that is not a non-empty string', () => {
    expect(rejection(() => validateChatRequest({ model: 42, messages }))).toMatchObject({
      code: 'invalid_value',
      param: 'model',
    });
    expect(rejection(() => validateChatRequest({ model: '', messages }))).toMatchObject({
      code: 'invalid_value',
      param: 'model',
    });
    expect(rejection(() => validateChatRequest({ model: null, messages }))).toMatchObject({
      code: 'invalid_value',
      param: 'model',
    });
  });

  it('rejects a temperature outside 0–2, naming it and the bound', () => {
    const error = rejection(() => validateChatRequest({ model: 'm', messages, temperature: 3 }));
    expect(error).toMatchObject({ code: 'invalid_value', param: 'temperature' });
    expect(error.message).toContain('temperature');
    expect(error.message).toContain('2');
    expect(
      rejection(() => validateChatRequest({ model: 'm', messages, temperature: -0.1 })),
    ).toMatchObject({ code: 'invalid_value', param: 'temperature' });
    expect(
      rejection(() => validateChatRequest({ model: 'm', messages, temperature: '1' })),
    ).toMatchObject({ code: 'invalid_value', param: 'temperature' });
  });

  it('rejects max_tokens that is not a positive integer', () => {
    for (const value of [0, 1.5, -1, '10']) {
      expect(
        rejection(() => validateChatRequest({ model: 'm', messages, max_tokens: value })),
      ).toMatchObject({ code: 'invalid_value', param: 'max_tokens' });
    }
    expect(
      rejection(() => validateChatRequest({ model: 'm', messages, max_tokens: 1.5 })).message,
    ).toContain('integer');
    expect(
      rejection(() => validateChatRequest({ model: 'm', messages, max_completion_tokens: 0 })),
    ).toMatchObject({ code: 'invalid_value', param: 'max_completion_tokens' });
  });

  it('rejects a stream flag that is not a boolean and a bad n', () => {
    expect(
      rejection(() => validateChatRequest({ model: 'm', messages, stream: 'yes' })),
    ).toMatchObject({ code: 'invalid_value', param: 'stream' });
    expect(rejection(() => validateChatRequest({ model: 'm', messages, n: 0 }))).toMatchObject({
      code: 'invalid_value',
      param: 'n',
    });
    expect(
      rejection(() =>
        validateChatRequest({ model: 'm', messages, stream_options: { include_usage: 'yes' } }),
      ),
    ).toMatchObject({ code: 'invalid_value', param: 'stream_options.include_usage' });
  });

  it('shortens a long offending value in the message', () => {
    const error = rejection(() => validateChatRequest({ model: 'm', messages: 'x'.repeat(500) }));
    expect(error.message.length).toBeLessThan(200);
    expect(error.message).toContain('...');
  });

  it('answers invalid_json for a body that is not a JSON object', () => {
    for (const body of [[], [{ model: 'm' }], 'model', 42, null, undefined, true]) {
      expect(rejection(() => validateChatRequest(body))).toMatchObject({
        code: 'invalid_json',
        status: 400,
      });
    }
  });
});

describe('validateEmbeddingsRequest', () => {
  it('accepts every input shape OpenAI accepts, returning the same object', () => {
    for (const input of ['Hello world', ['a', 'b'], [1212, 318, 257], [[1212, 318], [257]]]) {
      const body = { model: 'text-embedding-3-small', input, user: 'u-1' };
      expect(validateEmbeddingsRequest(body)).toBe(body);
    }
  });

  it('accepts the encoding formats and dimensions OpenAI accepts', () => {
    for (const encoding_format of ['float', 'base64']) {
      const body = { model: 'm', input: 'x', encoding_format, dimensions: 256 };
      expect(validateEmbeddingsRequest(body)).toBe(body);
    }
  });

  it('asks for a missing input or model by name', () => {
    const missingInput = rejection(() => validateEmbeddingsRequest({ model: 'm' }));
    expect(missingInput).toMatchObject({ code: 'missing_required_parameter', param: 'input' });
    expect(missingInput.message).toContain("'input'");
    expect(rejection(() => validateEmbeddingsRequest({ input: 'x' }))).toMatchObject({
      code: 'missing_required_parameter',
      param: 'model',
    });
  });

  it('rejects inputs of the wrong shape, saying which shapes are allowed', () => {
    for (const input of [42, null, [], [1.5], ['a', 1], [[]], [['a']], { text: 'x' }]) {
      const error = rejection(() => validateEmbeddingsRequest({ model: 'm', input }));
      expect(error.code, JSON.stringify(input)).toBe('invalid_value');
      expect(error.param?.startsWith('input'), JSON.stringify(input)).toBe(true);
    }
    const error = rejection(() => validateEmbeddingsRequest({ model: 'm', input: 42 }));
    expect(error.message).toContain('array of strings');
  });

  it("rejects encoding_format 'hex'", () => {
    const error = rejection(() =>
      validateEmbeddingsRequest({ model: 'm', input: 'x', encoding_format: 'hex' }),
    );
    expect(error).toMatchObject({ code: 'invalid_value', param: 'encoding_format' });
    expect(error.message).toContain('"float", "base64"');
  });

  it('rejects dimensions below 1', () => {
    expect(
      rejection(() => validateEmbeddingsRequest({ model: 'm', input: 'x', dimensions: 0 })),
    ).toMatchObject({ code: 'invalid_value', param: 'dimensions' });
  });

  it('answers invalid_json for a body that is not a JSON object', () => {
    for (const body of [['x'], 'input', null]) {
      expect(rejection(() => validateEmbeddingsRequest(body)).code).toBe('invalid_json');
    }
  });
});
