import { describe, expect, it } from 'vitest';
import { microBatch } from './micro-batch.ts';

const tick = () => new Promise((r) => setImmediate(r));

describe('microBatch', () => {
  it('hands items emitted in one turn to one call, in order', async () => {
    const calls: number[][] = [];
    const push = microBatch<number>(async (items) => void calls.push(items), () => undefined);
    for (let i = 0; i < 1000; i++) push(i);
    await tick();
    await tick();
    expect(calls).toHaveLength(1);
    expect(calls[0]).toEqual(Array.from({ length: 1000 }, (_, i) => i));
  });

  it('never overlaps calls: items arriving during a call come in the next one', async () => {
    const calls: number[][] = [];
    let release!: () => void;
    let inFlight = 0;
    let maxInFlight = 0;
    const push = microBatch<number>(async (items) => {
      inFlight++;
      maxInFlight = Math.max(maxInFlight, inFlight);
      calls.push(items);
      if (calls.length === 1) await new Promise<void>((r) => (release = r));
      inFlight--;
    }, () => undefined);
    push(1);
    await tick();
    push(2);
    push(3);
    await tick();
    expect(calls).toEqual([[1]]);
    release();
    for (let i = 0; i < 5; i++) await tick();
    expect(calls).toEqual([[1], [2, 3]]);
    expect(maxInFlight).toBe(1);
  });

  it('reports a failed call with its items and goes on with the next ones', async () => {
    const failed: number[][] = [];
    const ok: number[][] = [];
    const push = microBatch<number>(async (items) => {
      if (items.includes(1)) throw new Error('storage down');
      ok.push(items);
    }, (_err, items) => failed.push(items));
    push(1);
    await tick();
    await tick();
    push(2);
    await tick();
    await tick();
    expect(failed).toEqual([[1]]);
    expect(ok).toEqual([[2]]);
  });
});
