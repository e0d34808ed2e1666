import { APIError } from 'openai';
import { expect } from 'vitest';

/** The `APIError` the SDK call rejects with; fails the test when it succeeds or throws another. */
export async function apiError(promise: Promise<unknown>): Promise<APIError> {
  const error = await promise.then(
    () => undefined,
    (caught: unknown) => caught,
  );
  expect(error).toBeInstanceOf(APIError);
  return error as APIError;
}
