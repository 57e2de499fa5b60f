/**
 * Runs several publisher processes (publisher-process.ts) against one broker and sums their
 * reports. Connections are opened before the clock starts; all processes start on one 'go'.
 */
import { fork, type ChildProcess } from 'node:child_process';
import { resolve } from 'node:path';
import type { PublisherReport, PublisherSpec } from './publisher-process.ts';

export interface LoadResult {
  messages: number;
  /** wall time of the slowest publisher, first publish to last PUBACK */
  publishSeconds: number;
  /** CPU seconds of all publisher processes together */
  publisherCpuSeconds: number;
  startedAt: number;
}

type FromChild = { type: 'ready' } | { type: 'done'; report: PublisherReport } | { type: 'error'; message: string };

function next(child: ChildProcess): Promise<FromChild> {
  return new Promise((res, rej) => {
    const onExit = (code: number | null) => rej(new Error(`publisher process exited with ${code}`));
    child.once('exit', onExit);
    child.once('message', (m: FromChild) => {
      child.off('exit', onExit);
      if (m.type === 'error') rej(new Error(`publisher process failed: ${m.message}`));
      else res(m);
    });
  });
}

/**
 * Forks one process per spec (`script` speaks the prepare / ready / go / done protocol of
 * publisher-process.ts), starts them together and sums their reports.
 */
export async function runForked<S>(script: string, specs: S[], onStart?: () => void): Promise<LoadResult> {
  const children = specs.map(() => fork(script, [], { execArgv: ['--import', 'tsx'], stdio: ['ignore', 'inherit', 'inherit', 'ipc'] }));
  try {
    const ready = children.map((c) => next(c));
    children.forEach((c, i) => c.send({ type: 'prepare', spec: specs[i] }));
    await Promise.all(ready);
    const done = children.map((c) => next(c));
    const startedAt = performance.now();
    onStart?.();
    for (const c of children) c.send({ type: 'go' });
    const reports = (await Promise.all(done)).map((m) => (m as { report: PublisherReport }).report);
    return {
      messages: reports.reduce((s, r) => s + r.messages, 0),
      publishSeconds: Math.max(...reports.map((r) => r.seconds)),
      publisherCpuSeconds: reports.reduce((s, r) => s + r.cpuSeconds, 0),
      startedAt,
    };
  } finally {
    for (const c of children) if (c.exitCode === null) c.kill('SIGTERM');
  }
}

export function runPublishers(spec: Omit<PublisherSpec, 'index'>, onStart?: () => void): Promise<LoadResult> {
  const specs = Array.from({ length: spec.processes }, (_, index): PublisherSpec => ({ ...spec, index }));
  return runForked(resolve(import.meta.dirname, 'publisher-process.ts'), specs, onStart);
}
