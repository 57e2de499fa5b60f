/**
 * CPU time of the stream rules per reading (issue: analytics, item 6), without QuestDB or
 * MQTT: a registered fleet of --meters meters in the registry copy, then batches of 20,000
 * readings (single hourly readings or 24 per meter, as the ingest benchmark sends them) through
 * StreamEngine.evaluate. Reports the median over --rounds rounds of process CPU time (user +
 * system, so garbage collection counts) per reading: on a shared machine CPU time is far
 * steadier than wall time.
 *
 *   npx tsx benchmarks/stream-rules-cpu.ts --meters 1000000 --shape 1
 */
import { parseArgs } from 'node:util';
import { TypedBus } from '../core/bus.ts';
import { loadConfig } from '../core/config/index.ts';
import type { MeterwatchEvents } from '../core/events.ts';
import { silentLogger } from '../core/logger.ts';
import type { Reading } from '../core/types.ts';
import type { AlertSink } from '../analytics/alerts/alert-sink.ts';
import type { MeterInfo } from '../analytics/rules/context.ts';
import { RegistryCache } from '../analytics/stream/registry-cache.ts';
import { StreamEngine } from '../analytics/stream/stream-engine.ts';
import type { SqlClient } from '../storage/sql.ts';
import { meterId, meterOf, messageTs, registerAt } from './support/fleet-load.ts';

const { values } = parseArgs({ options: { meters: { type: 'string', default: '100000' }, shape: { type: 'string', default: '1' }, rounds: { type: 'string', default: '5' } } });
const meters = Number(values.meters);
const shape = values.shape === '24' ? 24 : 1;
const rounds = Number(values.rounds);
const BATCH = 20_000;
const PER_ROUND = 40;

const log = silentLogger();
const unused = {} as SqlClient; // evaluate() touches neither QuestDB nor the sink
const registry = new RegistryCache(unused, log);
const fleet: MeterInfo[] = [];
for (let i = 0; i < meters; i++) fleet.push({ meterId: meterId(i), customerId: `C${i}`, category: 'residential', kind: 'smart', status: 'active', qmax: 6, district: `D${i % 20}`, route: `R${i % 400}`, blacklisted: false });
registry.replaceCopy(fleet);
const engine = new StreamEngine({ sql: unused, bus: new TypedBus<MeterwatchEvents>(log), sink: {} as AlertSink, registry, cfg: loadConfig({}).analytics, zone: 'Asia/Shanghai', log });

const base = Date.UTC(2002, 0, 1);
let k = 0;
function batch(): Reading[] {
  const out: Reading[] = [];
  const now = Date.now();
  while (out.length < BATCH) {
    const id = meterId(meterOf(k, meters));
    const ts0 = messageTs(k, meters, shape, base);
    for (let h = 0; h < shape; h++) {
      const ts = ts0 + h * 3_600_000;
      out.push({ meterId: id, ts, reading: registerAt(ts), flow: 0.37, battery: 3.6, source: 'mqtt', receivedAt: now });
    }
    k++;
  }
  return out;
}

// Every meter seen once before timing, as in a running system.
for (let seen = 0; seen < meters; seen += BATCH) engine.evaluate(batch());
const perReading: number[] = [];
let candidates = 0;
for (let round = 0; round < rounds; round++) {
  const batches = Array.from({ length: PER_ROUND }, batch);
  const cpu0 = process.cpuUsage();
  for (const b of batches) candidates += engine.evaluate(b).length;
  const cpu = process.cpuUsage(cpu0);
  perReading.push((cpu.user + cpu.system) / (PER_ROUND * BATCH));
}
const sorted = [...perReading].sort((a, b) => a - b);
process.stdout.write(`${JSON.stringify({ meters, shape, rounds, cpuMicrosPerReading: { median: +sorted[Math.floor(rounds / 2)]!.toFixed(3), all: perReading.map((v) => +v.toFixed(3)) }, candidates, outOfOrder: engine.stats.outOfOrder })}\n`);
