/** The ingest scale results as a markdown table (medians per fleet size and message shape). */
import type { Measurement } from './ingest-measure.ts';

export interface SizeMeasurements {
  meters: number;
  measurements: Measurement[];
}

function median(values: number[]): number {
  if (values.length === 0) return NaN;
  const s = [...values].sort((a, b) => a - b);
  const mid = Math.floor(s.length / 2);
  return s.length % 2 ? s[mid]! : (s[mid - 1]! + s[mid]!) / 2;
}

export function medianOf(ms: Measurement[], what: Measurement['what'], shape: number, pick: (m: Measurement) => number = (m) => m.recordsPerSecond): number {
  return median(ms.filter((m) => m.what === what && m.shape === shape).map(pick));
}

const n = (v: number) => (Number.isFinite(v) ? Math.round(v).toLocaleString('en-US') : '–');
const ratio = (a: number, b: number) => (Number.isFinite(a / b) ? (a / b).toFixed(2) : '–');
const cores = (ms: Measurement[], what: Measurement['what'], shape: number) =>
  `${medianOf(ms, what, shape, (m) => m.cores.publishers).toFixed(2)} / ${medianOf(ms, what, shape, (m) => m.cores.server).toFixed(2)} / ${medianOf(ms, what, shape, (m) => m.cores.questdb).toFixed(2)}`;

export function ingestTable(sizes: SizeMeasurements[]): string[] {
  const rows = [
    '| meters | readings per message | ingest only | full, no stream rules | full system (stream rules) | **full / no stream** | full / ingest | broker alone | ILP alone | ingest / broker | ingest / ILP | meterwatch CPU µs per record: ingest only; no stream; full (full / no stream) | cores: publishers / meterwatch / QuestDB (ingest only; no stream; full) |',
    '|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---|---|',
  ];
  for (const { meters, measurements: ms } of sizes) {
    const ilp = medianOf(ms, 'ILP alone', 1);
    for (const shape of [1, 24]) {
      const ingest = medianOf(ms, 'ingest only', shape);
      const full = medianOf(ms, 'full system', shape);
      const noStream = medianOf(ms, 'full, no stream rules', shape);
      const cpuNoStream = medianOf(ms, 'full, no stream rules', shape, (m) => m.serverCpuMicrosPerRecord);
      const broker = medianOf(ms, 'broker alone', shape);
      const cpuIngest = medianOf(ms, 'ingest only', shape, (m) => m.serverCpuMicrosPerRecord);
      const cpuFull = medianOf(ms, 'full system', shape, (m) => m.serverCpuMicrosPerRecord);
      rows.push(
        `| ${n(meters)} | ${shape} | ${n(ingest)} | ${n(noStream)} | ${n(full)} | **${ratio(full, noStream)}** | ${ratio(full, ingest)} | ${n(broker)} | ${n(ilp)} | ${ratio(ingest, broker)} | ${ratio(ingest, ilp)} | ${cpuIngest.toFixed(1)}; ${cpuNoStream.toFixed(1)}; ${cpuFull.toFixed(1)} (${ratio(cpuFull, cpuNoStream)}) | ${cores(ms, 'ingest only', shape)}; ${cores(ms, 'full, no stream rules', shape)}; ${cores(ms, 'full system', shape)} |`,
      );
    }
  }
  return rows;
}
