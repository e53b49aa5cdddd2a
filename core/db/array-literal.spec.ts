import { describe, expect, it } from 'vitest';
import { arrayLiteral } from './array-literal.ts';

describe('arrayLiteral', () => {
  it('quotes every element, escapes quotes and backslashes, and writes null and undefined as NULL', () => {
    expect(arrayLiteral(['a', 'b c', 'x,y', '{z}', 'NULL', null, undefined, 'say "hi"', 'C:\\dir'])).toBe(
      '{"a","b c","x,y","{z}","NULL",NULL,NULL,"say \\"hi\\"","C:\\\\dir"}',
    );
    expect(arrayLiteral([])).toBe('{}');
  });
});
