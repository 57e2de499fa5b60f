import { describe, expect, it, vi } from 'vitest';
import { TypedBus } from './bus.ts';
import { silentLogger } from './logger.ts';

describe('TypedBus', () => {
  it('delivers to every listener even when one throws or rejects', async () => {
    const bus = new TypedBus<{ reading: { meterId: string } }>(silentLogger());
    const seen: string[] = [];
    bus.on('reading', () => {
      throw new Error('boom');
    });
    bus.on('reading', async () => {
      throw new Error('async boom');
    });
    bus.on('reading', (r) => {
      seen.push(r.meterId);
    });
    expect(() => bus.emit('reading', { meterId: 'M1' })).not.toThrow();
    await new Promise((r) => setTimeout(r, 0));
    expect(seen).toEqual(['M1']);
  });

  it('stops delivering after unsubscribe', () => {
    const bus = new TypedBus<{ tick: number }>(silentLogger());
    const fn = vi.fn();
    const off = bus.on('tick', fn);
    bus.emit('tick', 1);
    off();
    bus.emit('tick', 2);
    expect(fn).toHaveBeenCalledTimes(1);
    expect(bus.listenerCount('tick')).toBe(0);
  });
});
