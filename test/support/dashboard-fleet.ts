import { DateTime } from 'luxon';
import type { LoadableReading } from './load-readings.ts';

/**
 * A small, realistic fleet for the dashboard tests and screenshots: two districts, each with
 * a regulator-station supply meter, a residential bulk meter with household meters behind
 * it, commercial and residential customers; daily register reads over 25 months with a
 * winter heating season. Faults with known ground truth: one household using ≥ 30 m³ in a
 * month (residential_high), a commercial customer far above last year (yoy_deviation), and
 * a bulk meter in district 2 whose loss share grows past 8 % (bulk_balance).
 */
export interface FleetMeter {
  meterId: string;
  customerId: string;
  customerName: string;
  address: string;
  district: string;
  route: string;
  category: 'residential' | 'residential_bulk' | 'commercial' | 'supply';
  kind: 'mechanical' | 'smart' | 'ic';
  spec: string;
  status: 'active';
  parentMeterId?: string;
  households?: number;
  commercialUnits?: number;
  manufacturer: string;
  model: string;
  contact: string;
  propertyCompany?: string;
  effectiveAt: string;
}

export interface Fleet {
  meters: FleetMeter[];
  readings: LoadableReading[];
  /** First day of the data (company zone). */
  start: DateTime;
  /** Last read day. */
  end: DateTime;
}

const DISTRICTS = [
  { name: '江北区', code: 'JB', route: 'JB-01', street: '建新北路' },
  { name: '渝中区', code: 'YZ', route: 'YZ-02', street: '解放碑大道' },
] as const;

const SURNAMES = ['王', '李', '张', '刘', '陈', '杨', '赵', '黄', '周', '吴'];

/** m³ per day for a household: a base load plus winter heating (peak in January). */
function householdDaily(day: DateTime, scale: number): number {
  const season = Math.cos(((day.ordinal - 15) / 365) * 2 * Math.PI); // 1 in mid-January, −1 in mid-July
  return scale * (0.35 + 0.3 * Math.max(0, season) + 0.05 * Math.sin(day.ordinal * 1.7));
}

export interface FleetOptions {
  /** Prefix of every meter id, so two tests on one database do not share meters. */
  idPrefix?: string;
  /** Prefix of the district names (district loss sums a whole district). */
  districtPrefix?: string;
}

export function buildFleet(zone: string, now: DateTime = DateTime.now().setZone(zone), options: FleetOptions = {}): Fleet {
  const end = now.startOf('day').minus({ days: 1 }).set({ hour: 8 });
  const start = end.minus({ months: 25 }).startOf('month').set({ hour: 8 });
  const effectiveAt = start.minus({ days: 1 }).toISO()!;
  const meters: FleetMeter[] = [];
  const daily = new Map<string, (day: DateTime, i: number) => number>();
  let person = 0;
  const customer = (district: { name: string; street: string }, n: number) => {
    person++;
    return {
      customerName: `${SURNAMES[person % SURNAMES.length]}${['建国', '秀英', '伟', '芳', '敏', '静', '磊', '洋'][person % 8]}`,
      address: `重庆市${district.name}${district.street}${n}号`,
      contact: `138${String(10000000 + person * 7919).slice(0, 8)}`,
    };
  };
  DISTRICTS.map((d) => ({ ...d, name: `${options.districtPrefix ?? ''}${d.name}`, code: `${options.idPrefix ?? ''}${d.code}` })).forEach((d, di) => {
    const base = { district: d.name, route: d.route, status: 'active' as const, effectiveAt, manufacturer: '重庆前卫', contact: '' };
    const bulkId = `${d.code}-B01`;
    const households: string[] = [];
    for (let h = 1; h <= 6; h++) {
      const id = `${d.code}-H${String(h).padStart(2, '0')}`;
      households.push(id);
      meters.push({ ...base, ...customer(d, 10 + h), meterId: id, customerId: `C-${id}`, category: 'residential', kind: 'mechanical', spec: 'G2.5', model: 'JBD-2.5', parentMeterId: bulkId });
      // Household 3 of district 1 heats with gas far more than the rest: ≥ 30 m³ in winter months.
      const scale = di === 0 && h === 3 ? 2.6 : 0.8 + h * 0.07;
      daily.set(id, (day) => householdDaily(day, scale));
    }
    meters.push({
      ...base,
      ...customer(d, 100),
      meterId: bulkId,
      customerId: `C-${bulkId}`,
      customerName: `${d.name}阳光小区`,
      category: 'residential_bulk',
      kind: 'smart',
      spec: 'G16',
      model: 'LWQ-16',
      households: 6,
      commercialUnits: 1,
      propertyCompany: `${d.name}物业管理有限公司`,
    });
    // Bulk loss: 3 % in district 1; in district 2 it grows from 3 % to 15 % over the last 8 months.
    daily.set(bulkId, (day, i) => {
      const sum = households.reduce((s, id) => s + daily.get(id)!(day, i), 0);
      const monthsFromEnd = Math.floor(end.diff(day, 'months').months);
      const loss = di === 1 && monthsFromEnd < 8 ? 0.03 + (8 - monthsFromEnd) * 0.015 : 0.03;
      return sum / (1 - loss);
    });
    for (let c = 1; c <= 2; c++) {
      const id = `${d.code}-C${String(c).padStart(2, '0')}`;
      meters.push({ ...base, ...customer(d, 200 + c), meterId: id, customerId: `C-${id}`, customerName: `${d.name}${['老火锅', '小面馆'][c - 1]}`, category: 'commercial', kind: 'smart', spec: 'G10', model: 'TBQM-10' });
      // The second restaurant of district 2 doubled its use this year (yoy_deviation).
      daily.set(id, (day) => {
        const grow = di === 1 && c === 2 && day > end.minus({ months: 11 }) ? 2 : 1;
        return grow * (6 + 2 * c + 1.5 * Math.sin(day.ordinal / 3));
      });
    }
    for (let r = 1; r <= 3; r++) {
      const id = `${d.code}-R${String(r).padStart(2, '0')}`;
      meters.push({ ...base, ...customer(d, 300 + r), meterId: id, customerId: `C-${id}`, category: 'residential', kind: r === 1 ? 'ic' : 'smart', spec: 'G2.5', model: 'IC-2.5' });
      daily.set(id, (day) => householdDaily(day, 0.9 + r * 0.1));
    }
    const supplyId = `${d.code}-S01`;
    meters.push({ ...base, ...customer(d, 1), meterId: supplyId, customerId: `C-${supplyId}`, customerName: `${d.name}调压站`, category: 'supply', kind: 'smart', spec: 'G100', model: 'TBQZ-100' });
    // District loss: supply = customers' use (households billed, bulk meter not) × (1.04 or 1.06, ± 0.015 over the year).
    const billed = meters.filter((m) => m.district === d.name && m.category !== 'supply' && m.category !== 'residential_bulk').map((m) => m.meterId);
    daily.set(supplyId, (day, i) => billed.reduce((s, id) => s + daily.get(id)!(day, i), 0) * ((di === 0 ? 1.04 : 1.06) + 0.015 * Math.sin(day.ordinal / 58)));
  });

  const readings: LoadableReading[] = [];
  const days = Math.round(end.diff(start, 'days').days);
  for (const m of meters) {
    const f = daily.get(m.meterId)!;
    let register = 100 + (m.meterId.charCodeAt(m.meterId.length - 1) % 7) * 37;
    for (let i = 0; i <= days; i++) {
      const day = start.plus({ days: i });
      readings.push({ meterId: m.meterId, ts: day.toMillis(), reading: Math.round(register * 1000) / 1000 });
      register += f(day, i);
    }
  }
  return { meters, readings, start, end };
}

/**
 * Loads a fleet into a running meterwatch: the registry through its own API
 * (`POST /api/meters`), the readings over ILP (stand-in for the ingest tier, as in
 * test/support/load-readings.ts), then waits until QuestDB shows every reading.
 */
export async function seedFleet(appUrl: string, questdbHttpUrl: string, fleet: Fleet): Promise<void> {
  const res = await fetch(`${appUrl}/api/meters`, { method: 'POST', headers: { 'content-type': 'application/json', 'x-actor': 'seed' }, body: JSON.stringify(fleet.meters) });
  if (!res.ok) throw new Error(`registry upsert failed: ${res.status} ${await res.text()}`);
  const { loadReadings } = await import('./load-readings.ts');
  await loadReadings(questdbHttpUrl, fleet.readings);
  const ids = [...new Set(fleet.readings.map((r) => r.meterId))].map((id) => `'${id}'`).join(',');
  const query = encodeURIComponent(`SELECT count() n FROM readings WHERE meter_id IN (${ids})`);
  const deadline = Date.now() + 120_000;
  for (;;) {
    const body = (await (await fetch(`${questdbHttpUrl}/exec?query=${query}`)).json()) as { dataset?: number[][] };
    if ((body.dataset?.[0]?.[0] ?? 0) >= fleet.readings.length) return;
    if (Date.now() > deadline) throw new Error('fleet readings did not become visible within 120 s');
    await new Promise((r) => setTimeout(r, 250));
  }
}
