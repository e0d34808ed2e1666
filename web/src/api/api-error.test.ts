import { describe, expect, it } from 'vitest';
import { placeError } from '../components/form-errors';
import { ApiError, apiErrorFromResponse, fieldOfParam } from './api-error';

describe('apiErrorFromResponse', () => {
  it('reads OpenAI’s error envelope', () => {
    const error = apiErrorFromResponse(402, {
      error: {
        message: 'The wallet of account 7 has 2.00 available; this needs 5.00.',
        type: 'insufficient_quota',
        param: 'amount',
        code: 'insufficient_balance',
      },
    });
    expect(error).toBeInstanceOf(ApiError);
    expect(error.message).toBe('The wallet of account 7 has 2.00 available; this needs 5.00.');
    expect(error).toMatchObject({ status: 402, code: 'insufficient_balance', param: 'amount' });
  });

  it('still says something useful when the body is not the envelope', () => {
    expect(apiErrorFromResponse(502, '<html>Bad gateway</html>').message).toMatch(/try again/i);
    expect(apiErrorFromResponse(429, null).message).toMatch(/too many requests/i);
    expect(apiErrorFromResponse(400, { error: { message: '' } }).code).toBeNull();
  });
});

describe('placing an error in a form', () => {
  it('uses the first segment of param', () => {
    expect(fieldOfParam('limits.rpm')).toBe('limits');
    expect(fieldOfParam('models[2]')).toBe('models');
    expect(fieldOfParam(null)).toBeNull();
  });

  it('puts a field’s error under the field, anything else above the form', () => {
    const error = new ApiError({
      message: 'There is no model x.',
      status: 400,
      param: 'models[0]',
    });
    expect(placeError(error, ['name', 'models'])).toEqual({
      fields: { models: 'There is no model x.' },
      form: null,
    });
    expect(placeError(error, ['name'])).toEqual({ fields: {}, form: 'There is no model x.' });
    expect(placeError(new Error('offline'), ['name'])).toEqual({ fields: {}, form: 'offline' });
  });
});
