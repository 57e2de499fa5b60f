import { describe, expect, it } from 'vitest';
import { statusSpans } from './registry-repo.ts';
import type { MeterVersion } from './registry-rows.ts';

const v = (effectiveAt: number, status: MeterVersion['meter']['status'], changedBy = 'x'): MeterVersion => ({
  meter: { meterId: 'M1', status },
  effectiveAt,
  changedAt: effectiveAt,
  changedBy,
});

describe('status spans from registry versions', () => {
  it('merges versions that keep the status and closes each span at the next change', () => {
    expect(statusSpans([v(1, 'active', 'a'), v(2, 'active', 'b'), v(5, 'vacant', 'c'), v(9, 'active', 'd')])).toEqual([
      { status: 'active', from: 1, to: 5, changedBy: 'a' },
      { status: 'vacant', from: 5, to: 9, changedBy: 'c' },
      { status: 'active', from: 9, changedBy: 'd' },
    ]);
    expect(statusSpans([])).toEqual([]);
  });
});
