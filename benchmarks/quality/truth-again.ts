/**
 * Writes the ground truth of a simulated fleet again without sending anything (a dry run of
 * the same seed, size and clock): after a fix to the simulator's truth, a kept back-fill can be
 * scored against the corrected truth. The fleet and its series are those of the original run.
 *
 *   npx tsx benchmarks/quality/truth-again.ts --meters 10000 --months 25 --faults 0.02 --seed 42 --now 2026-11-27T23:31:00+08:00 --out FILE
 */
import { writeFileSync } from 'node:fs';
import { parseArgs } from 'node:util';
import { DateTime } from 'luxon';
import { dryRun } from '../../simulators/dry-run.ts';

const { values } = parseArgs({ options: { meters: { type: 'string' }, months: { type: 'string', default: '25' }, faults: { type: 'string', default: '0.02' }, seed: { type: 'string', default: '42' }, now: { type: 'string' }, out: { type: 'string' } } });
const ZONE = 'Asia/Shanghai';
const now = DateTime.fromISO(values.now!, { setZone: true }).toMillis();
// As runSimulation: the history ends at the start of the clock's day.
const end = DateTime.fromMillis(now, { zone: ZONE }).startOf('day').toMillis();
const { oracle } = dryRun({ meters: Number(values.meters), seed: Number(values.seed), faultShare: Number(values.faults), months: Number(values.months), end, timezone: ZONE });
const lines = [...oracle.lines()].map((l) => JSON.stringify(l));
writeFileSync(values.out!, `${lines.join('\n')}\n`);
process.stdout.write(`${lines.length} truth lines written to ${values.out}\n`);
