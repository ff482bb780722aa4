import { describe, expect, it } from 'vitest';
import { pythonWordCount } from '../../lib/core/tokenize/python-word-count.js';

describe("pythonWordCount = Python's len(text.split())", () => {
  // Expected values printed by CPython 3.11 for the same strings.
  it.each([
    ['a b', 2],
    ['  a\tb\n', 2],
    ['\x1cx\x1dy\x1e\x1fz', 3],
    ['a\x85b', 2],
    ['a\ufeffb', 1],
    ['a\u3000b\u2028c', 3],
    ['', 0],
    ['   ', 0],
    ['héllo wörld  ok', 3],
    ['<image>\nWhat is shown?', 4],
  ])('%j → %i', (text, expected) => {
    expect(pythonWordCount(text)).toBe(expected);
  });
});
