import { describe, expect, it } from 'vitest';
import { classify } from './onvif-client.ts';

describe('camera call errors', () => {
  it("when a device's garbage answer is quoted in the error, then its control characters are replaced (the sample must be storable)", () => {
    const e = classify(new Error('Non-whitespace before first tag.\nLine: 0\nColumn: 1\nChar: \u0000\u0007'));
    expect(e.errorClass).toBe('bad_response');
    expect(e.message).toBe('Non-whitespace before first tag.\nLine: 0\nColumn: 1\nChar: \ufffd\ufffd');
  });
});
