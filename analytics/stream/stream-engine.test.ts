import { describe, expect, it } from 'vitest';
import { TypedBus } from '../../core/bus.ts';
import { loadConfig } from '../../core/config/index.ts';
import type { MeterwatchEvents } from '../../core/events.ts';
import { silentLogger } from '../../core/logger.ts';
import type { Reading } from '../../core/types.ts';
import type { AlertSink } from '../alerts/alert-sink.ts';
import type { SqlClient } from '../../storage/sql.ts';
import { RegistryCache } from './registry-cache.ts';
import { StreamEngine } from './stream-engine.ts';

const H = 3_600_000;
const T0 = Date.parse('2026-11-20T00:00:00Z');
const r = (ts: number, reading: number): Reading => ({ meterId: 'X', ts, reading, source: 'mqtt', receivedAt: T0 });

function engine(): StreamEngine {
  const log = silentLogger();
  // evaluate() needs neither QuestDB nor the sink: an empty registry copy, never loaded.
  const unused = {} as SqlClient;
  return new StreamEngine({ sql: unused, bus: new TypedBus<MeterwatchEvents>(log), sink: {} as AlertSink, registry: new RegistryCache(unused, log), cfg: loadConfig({}).analytics, zone: 'Asia/Shanghai', log });
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
});
