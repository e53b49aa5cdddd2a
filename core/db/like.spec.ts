import { describe, expect, it } from 'vitest';
import { containsPattern, escapeLike } from './like.ts';

describe('escapeLike', () => {
  it('when text holds LIKE wildcards or a backslash, then each is escaped and the rest kept', () => {
    expect(escapeLike(`100%_a\\b'c`)).toBe(`100\\%\\_a\\\\b'c`);
    expect(containsPattern('gate')).toBe('%gate%');
  });
});
