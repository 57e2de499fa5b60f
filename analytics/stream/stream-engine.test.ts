import { describe, expect, it } from 'vitest';
import { TypedBus } from '../../core/bus.ts';
import { loadConfig } from '../../core/config/index.ts';
import type { MeterwatchEvents } from '../../core/events.ts';
import { silentLogger } from '../../core/logger.ts';
import type { Reading } from '../../core/types.ts';
import type { AlertSink } from '../alerts/alert-sink.ts';
import type { SqlClient } from '../../storage/sql.ts';
import { brokenMeter } from '../rules/broken-meter.ts';
import type { MeterInfo } from '../rules/context.ts';
import { largeFlow } from '../rules/large-flow.ts';
import { tamperFlags } from '../rules/tamper.ts';
import { RegistryCache } from './registry-cache.ts';
import { StreamEngine } from './stream-engine.ts';

const H = 3_600_000;
const T0 = Date.parse('2026-11-20T00:00:00Z');
const r = (ts: number, reading: number): Reading => ({ meterId: 'X', ts, reading, source: 'mqtt', receivedAt: T0 });

function engine(meters: MeterInfo[] = []): StreamEngine {
  const log = silentLogger();
  // evaluate() needs neither QuestDB nor the sink: a registry copy given here, never loaded.
  const unused = {} as SqlClient;
  const registry = new RegistryCache(unused, log);
  if (meters.length > 0) registry.replaceCopy(meters);
  return new StreamEngine({ sql: unused, bus: new TypedBus<MeterwatchEvents>(log), sink: {} as AlertSink, registry, cfg: loadConfig({}).analytics, zone: 'Asia/Shanghai', log });
}

/** A deterministic pseudo-random sequence (mulberry32). */
function random(seed: number): () => number {
  let a = seed;
  return () => {
    a = (a + 0x6d2b79f5) | 0;
    let t = Math.imul(a ^ (a >>> 15), 1 | a);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

describe('stream engine state', () => {
  it('judges each interval against the previous read, across batches, and leaves older reads to the batch pass', () => {
    const e = engine();
    expect(e.evaluate([r(T0, 100)])).toEqual([]);
    const [broken] = e.evaluate([r(T0 + H, 90)]);
    expect(broken?.rule).toBe('broken_meter');
    expect(broken?.evidence).toMatchObject({ kind: 'backwards', previous: { ts: T0, reading: 100 }, current: { ts: T0 + H, reading: 90 } });
    expect(e.evaluate([r(T0 + H / 2, 95)])).toEqual([]);
    expect(e.stats.outOfOrder).toBe(1);
    expect(e.evaluate([r(T0 + 2 * H, 91)])).toEqual([]); // judged against 90, not 100
  });

  it('sorts a message that lists a meter back in time, so its intervals are still judged', () => {
    const e = engine();
    const out = e.evaluate([r(T0 + 3 * H, 95), r(T0 + 2 * H, 100)]);
    expect(out.map((c) => c.rule)).toEqual(['broken_meter']);
    expect(e.stats.outOfOrder).toBe(0);
  });

  it('raises exactly what the rules raise when every interval is handed to them (the quiet-reading shortcut loses nothing)', () => {
    const rnd = random(7);
    const cfg = loadConfig({}).analytics;
    const meters: MeterInfo[] = Array.from({ length: 40 }, (_, i) => ({
      meterId: `R${i}`,
      customerId: `C${i}`,
      category: (['residential', 'commercial', 'industrial', 'supply'] as const)[i % 4],
      qmax: i % 5 === 0 ? undefined : [2.5, 6, 16, 40, 100][i % 5],
      blacklisted: i % 3 === 0,
    }));
    const e = engine(meters);
    const last = new Map<string, { ts: number; reading: number }>();
    const start = Date.now() - 6 * H;
    const expected: string[] = [];
    const got: string[] = [];
    const key = (c: { rule: string; meterId: string; value: number; periodStart: number }) => `${c.rule}/${c.meterId}/${c.periodStart}/${c.value}`;
    for (let k = 0; k < 4000; k++) {
      const m = meters[Math.floor(rnd() * (meters.length + 1))] ?? { meterId: 'UNREGISTERED', blacklisted: false };
      const prev = last.get(m.meterId);
      const ts = (prev?.ts ?? start) + Math.floor(1 + rnd() * 3600) * 1000;
      const step = rnd() < 0.1 ? -rnd() * 2 : rnd() < 0.2 ? rnd() * 200 : rnd() * 3;
      const reading = Math.round(((prev?.reading ?? 1000) + step) * 1000) / 1000;
      const flow = rnd() < 0.3 ? undefined : rnd() < 0.15 ? rnd() * 150 : rnd() * 5;
      const flags: Reading['flags'] = rnd() < 0.03 ? ['tamper'] : undefined;
      const r: Reading = { meterId: m.meterId, ts, reading, flow, flags, source: 'mqtt', receivedAt: ts };
      for (const c of e.evaluate([r])) got.push(key(c));
      const interval = { meter: m, prev, cur: { ts, reading, flow, flags } };
      for (const c of [brokenMeter(interval, 'Asia/Shanghai'), flags ? tamperFlags(interval, 'Asia/Shanghai') : undefined, largeFlow(interval, cfg, 'Asia/Shanghai')]) {
        if (c && (c.rule !== 'large_flow' || c.periodEnd > Date.now())) expected.push(key(c));
      }
      last.set(m.meterId, { ts, reading });
    }
    expect(expected.length).toBeGreaterThan(200);
    expect(got).toEqual(expected);
  });
});
