import { describe, expect, it } from 'vitest';
import { qmaxForSpec } from './gsize.ts';

describe('qmaxForSpec', () => {
  it('maps G-sizes to Qmax per EN 1359', () => {
    expect(qmaxForSpec('G1.6')).toBe(2.5);
    expect(qmaxForSpec('G4')).toBe(6);
    expect(qmaxForSpec('g25')).toBe(40);
    expect(qmaxForSpec('G100')).toBe(160);
  });
  it('is undefined for unknown specs', () => {
    expect(qmaxForSpec('G7')).toBeUndefined();
    expect(qmaxForSpec(undefined)).toBeUndefined();
  });
});
