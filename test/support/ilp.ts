import { inject } from 'vitest';

/** Writes ILP lines straight to the shared QuestDB (test set-up only; the product writes through ingest). */
export async function writeIlp(lines: readonly string[]): Promise<void> {
  for (let i = 0; i < lines.length; i += 5000) {
    const res = await fetch(`${inject('questdbHttpUrl')}/write?precision=ms`, { method: 'POST', body: `${lines.slice(i, i + 5000).join('\n')}\n` });
    if (!res.ok) throw new Error(`ILP write failed: ${res.status} ${await res.text()}`);
  }
}

const esc = (v: string) => v.replace(/[ ,=\\]/g, (c) => `\\${c}`);

export function readingLine(meterId: string, ts: number, reading: number, extra: { flow?: number; flags?: string[] } = {}): string {
  const fields = [`reading=${reading}`];
  if (extra.flow !== undefined) fields.push(`flow=${extra.flow}`);
  if (extra.flags) fields.push(`flags=${JSON.stringify(JSON.stringify(extra.flags))}`);
  return `readings,meter_id=${esc(meterId)},source=http ${fields.join(',')} ${ts}`;
}

export interface RegistryLine {
  meterId: string;
  ts: number;
  category: string;
  kind: string;
  status: string;
  qmax?: number;
  customerId?: string;
  district?: string;
  parentMeterId?: string;
  activatedAt?: number;
}

export function registryLine(m: RegistryLine): string {
  const tags = [`meter_id=${esc(m.meterId)}`, `category=${m.category}`, `kind=${m.kind}`, `status=${m.status}`];
  if (m.customerId) tags.push(`customer_id=${esc(m.customerId)}`);
  if (m.district) tags.push(`district=${esc(m.district)}`);
  if (m.parentMeterId) tags.push(`parent_meter_id=${esc(m.parentMeterId)}`);
  const fields = [`qmax=${m.qmax ?? 6}`];
  if (m.activatedAt !== undefined) fields.push(`activated_at=${m.activatedAt * 1000}t`);
  return `meter_registry,${tags.join(',')} ${fields.join(',')} ${m.ts}`;
}
