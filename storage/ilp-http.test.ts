import { describe, expect, it } from 'vitest';
import { ilpLine } from './ilp-http.ts';

describe('ILP line serialisation', () => {
  it('escapes symbols and strings, types every field, and writes the timestamp in ns', () => {
    const line = ilpLine('meter_registry', {
      ts: 1767225600000,
      symbols: { meter_id: 'M1', district: 'Xin Hua,East=1', route: undefined },
      fields: {
        customer_name: { kind: 'string', value: '王 "小明" \\ 1' },
        qmax: { kind: 'double', value: 6 },
        households: { kind: 'int', value: 12 },
        installed_at: { kind: 'timestamp', value: 1700000000000 },
        estimated: { kind: 'bool', value: true },
        model: undefined,
      },
    });
    expect(line).toBe(
      'meter_registry,meter_id=M1,district=Xin\\ Hua\\,East\\=1 customer_name="王 \\"小明\\" \\\\ 1",qmax=6.0,households=12i,installed_at=1700000000000000t,estimated=t 1767225600000000000\n',
    );
  });

  it('refuses a row without fields', () => {
    expect(() => ilpLine('t', { ts: 0, symbols: { a: 'b' }, fields: {} })).toThrow(/no fields/);
  });
});
