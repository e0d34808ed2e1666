import { describe, expect, it } from 'vitest';
import {
  base64ToFloats,
  floatsToBase64,
  isFloat32Base64,
  isFloatVector,
} from './embedding-encoding.js';

describe('floatsToBase64', () => {
  it('writes little-endian float32 bytes', () => {
    // 1.0f is 0x3f800000 and -2.0f is 0xc0000000: bytes 00 00 80 3f 00 00 00 c0.
    expect(floatsToBase64([1, -2])).toBe('AACAPwAAAMA=');
    expect(Buffer.from(floatsToBase64([1, -2]), 'base64')).toEqual(
      Buffer.from([0x00, 0x00, 0x80, 0x3f, 0x00, 0x00, 0x00, 0xc0]),
    );
  });

  it('encodes the empty vector as the empty string', () => {
    expect(floatsToBase64([])).toBe('');
  });

  it('rounds each value to the nearest float32, as OpenAI does', () => {
    expect(base64ToFloats(floatsToBase64([0.1, -0.009327292]))).toEqual([
      Math.fround(0.1),
      Math.fround(-0.009327292),
    ]);
  });
});

describe('base64ToFloats', () => {
  it('inverts floatsToBase64 exactly for float32 values', () => {
    const vector = [0, -0, 1.5, -3.25, 1e-40, 3.4028234663852886e38, Math.fround(Math.PI)];
    const decoded = base64ToFloats(floatsToBase64(vector));
    expect(decoded).toEqual(vector.map(Math.fround));
    expect(Object.is(decoded?.[1], -0)).toBe(true);
  });

  it('decodes the empty string to the empty vector', () => {
    expect(base64ToFloats('')).toEqual([]);
  });

  it.each([['AAA='], ['AACAPw'], ['AACA*w=='], ['AACAPw==AAAAAA==']])('refuses %s', (encoded) => {
    expect(base64ToFloats(encoded)).toBeUndefined();
  });
});

describe('isFloat32Base64', () => {
  it.each([[''], ['AACAPw=='], ['AACAPwAAAMA='], ['AAAAAAAAAAAAAAAA']])('accepts %j', (text) => {
    expect(isFloat32Base64(text)).toBe(true);
  });

  it.each([
    ['AAA=', 'two bytes'],
    ['AAAAAA==AAAA', 'padding inside'],
    ['AACAPw', 'no padding'],
    ['AAC-Pw==', 'the URL-safe alphabet'],
    ['AACA Pw=', 'a space'],
  ])('refuses %j (%s)', (text) => {
    expect(isFloat32Base64(text)).toBe(false);
  });
});

describe('isFloatVector', () => {
  it('accepts lists of finite numbers, the empty one too', () => {
    expect(isFloatVector([0.1, -2, 0])).toBe(true);
    expect(isFloatVector([])).toBe(true);
  });

  it.each([[[0.1, '0.2']], [[null]], [[Infinity]], [[Number.NaN]], ['0.1,0.2'], [{ 0: 0.1 }]])(
    'refuses %j',
    (value) => {
      expect(isFloatVector(value)).toBe(false);
    },
  );
});
