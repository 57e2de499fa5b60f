import { describe, expect, it } from 'vitest';
import { chunksOf } from './durable-sink.ts';

describe('chunksOf', () => {
  it('splits ILP text only at line ends and loses nothing', () => {
    const text = 'a 1\nbb 2\nccc 3\n';
    for (const size of [1, 4, 5, 9, 100]) {
      const chunks = chunksOf(text, size);
      expect(chunks.join('')).toBe(text);
      expect(chunks.every((c) => c.endsWith('\n'))).toBe(true);
    }
    expect(chunksOf(text, 9)).toEqual(['a 1\nbb 2\n', 'ccc 3\n']);
  });
});
