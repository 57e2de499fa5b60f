import { describe, expect, it } from 'vitest';
import { bucketSeconds } from '../../storage/readings/sampled-readings.ts';
import { lossOf } from './loss.ts';

describe('lossOf (domain.md §7: gas in minus gas billed)', () => {
  it('gives loss and its share of what came in', () => {
    expect(lossOf(100, 92)).toEqual({ loss: 8, lossShare: 0.08 });
  });
  it('keeps a negative loss (households above the bulk meter) visible', () => {
    expect(lossOf(100, 104)).toEqual({ loss: -4, lossShare: -0.04 });
  });
  it('has no share when nothing came in, and no loss when nothing moved', () => {
    expect(lossOf(0, 5)).toEqual({ loss: -5, lossShare: null });
    expect(lossOf(0, 0)).toEqual({ loss: null, lossShare: null });
  });
});

describe('bucketSeconds (readings chart aggregated in the database)', () => {
  it('never makes more buckets than asked', () => {
    const day = 86_400_000;
    const b = bucketSeconds(0, 760 * day, 1500);
    expect(Math.ceil((760 * day) / 1000 / b)).toBeLessThanOrEqual(1500);
    expect(bucketSeconds(0, 500, 1000)).toBe(1);
  });
});
