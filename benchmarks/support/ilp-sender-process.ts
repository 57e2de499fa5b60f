/**
 * The "ILP sender alone" ceiling (issue 5 item 3a): one process POSTs the same fleet's
 * readings as ILP text to QuestDB's /write as fast as it can — `rowsPerRequest` rows per
 * request, the next body built while the previous request is in flight — until it has sent
 * `minRows` rows AND `minSeconds` have passed. The parent times until the rows are visible.
 */
import { ilpLinesFor, type Shape } from './fleet-load.ts';
import type { PublisherReport } from './publisher-process.ts';

export interface IlpSenderSpec {
  httpUrl: string;
  meters: number;
  shape: Shape;
  baseTs: number;
  rowsPerRequest: number;
  minRows: number;
  minSeconds: number;
  maxSeconds: number;
}

type FromParent = { type: 'prepare'; spec: IlpSenderSpec } | { type: 'go' };

let spec: IlpSenderSpec;

function body(firstMessage: number, messages: number, receivedAt: number): string {
  let text = '';
  for (let k = firstMessage; k < firstMessage + messages; k++) text += ilpLinesFor(k, spec.meters, spec.shape, spec.baseTs, receivedAt);
  return text;
}

async function post(text: string): Promise<void> {
  const res = await fetch(`${spec.httpUrl}/write`, { method: 'POST', body: text });
  if (!res.ok) throw new Error(`ILP write failed: HTTP ${res.status} ${await res.text()}`);
}

async function go(): Promise<void> {
  const perRequest = Math.max(1, Math.floor(spec.rowsPerRequest / spec.shape));
  const cpu0 = process.cpuUsage();
  const started = performance.now();
  let messages = 0;
  let inFlight: Promise<void> = Promise.resolve();
  for (;;) {
    const elapsed = (performance.now() - started) / 1000;
    if ((messages * spec.shape >= spec.minRows && elapsed >= spec.minSeconds) || elapsed >= spec.maxSeconds) break;
    const text = body(messages, perRequest, Date.now());
    messages += perRequest;
    await inFlight;
    inFlight = post(text);
  }
  await inFlight;
  const cpu = process.cpuUsage(cpu0);
  const report: PublisherReport = { messages, seconds: (performance.now() - started) / 1000, cpuSeconds: (cpu.user + cpu.system) / 1e6 };
  process.send!({ type: 'done', report });
}

process.on('message', (m: FromParent) => {
  if (m.type === 'prepare') {
    spec = m.spec;
    process.send!({ type: 'ready' });
    return;
  }
  go().catch((err: unknown) => process.send!({ type: 'error', message: (err as Error).stack ?? String(err) }));
});
