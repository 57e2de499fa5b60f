import { describe, expect, it } from 'vitest';
import { escapeSymbol, quoteString } from './line-protocol.ts';
import { readingLine, rejectedLine } from './rows.ts';

describe('ILP text', () => {
  it('escapes symbols and strings the way QuestDB reads them', () => {
    expect(escapeSymbol('YB 03,a=b')).toBe('YB\\ 03\\,a\\=b');
    expect(escapeSymbol('plain')).toBe('plain');
    expect(quoteString('say "hi"\\\nnext')).toBe('"say \\"hi\\"\\\\\\\nnext"');
  });

  it('writes a reading with only the fields it has, designated time in ns', () => {
    const line = readingLine({ meterId: 'M1', ts: 1795766400000, reading: 1.5, source: 'mqtt', flags: ['tamper', 'magnet'], receivedAt: 1795766400123 });
    expect(line).toBe('readings,meter_id=M1,source=mqtt reading=1.5,flags="tamper,magnet",received_at=1795766400123000t 1795766400000000000\n');
  });

  it('writes a rejected record with its id', () => {
    const line = rejectedLine({ id: 'x1', receivedAt: 5, source: 'http', endpoint: '/api/readings', reason: 'r', raw: '{"a":1}' });
    expect(line).toBe('rejected_records,source=http id="x1",endpoint="/api/readings",reason="r",raw="{\\"a\\":1}" 5000000\n');
  });
});
