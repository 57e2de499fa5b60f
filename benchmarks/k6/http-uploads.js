// Load on the HTTP upload endpoints of interface.md §2: POST /api/readings (JSON arrays),
// POST /api/handheld/uploads as JSON and as text/csv. Each iteration sends fresh (meterId, ts)
// pairs, so deduplication does not turn the load into no-ops.
//   k6 run -e MW_URL=http://127.0.0.1:8080 -e RATE=50 -e DURATION=30s benchmarks/k6/http-uploads.js
import http from 'k6/http';
import { check } from 'k6';
import { Counter } from 'k6/metrics';
import { BASE, METERS, isoShanghai, meterId, registryRows } from './lib.js';

const RATE = Number(__ENV.RATE || 50);
const DURATION = __ENV.DURATION || '30s';
const BATCH = Number(__ENV.BATCH || 100);
const recordsSent = new Counter('records_sent');
const recordsAccepted = new Counter('records_accepted');

const scenario = (exec, rate) => ({ executor: 'constant-arrival-rate', exec, rate, timeUnit: '1s', duration: DURATION, preAllocatedVUs: 10, maxVUs: 50 });
export const options = {
  scenarios: {
    readings: scenario('readings', RATE),
    handheld_json: scenario('handheldJson', Math.max(1, Math.round(RATE / 5))),
    handheld_csv: scenario('handheldCsv', Math.max(1, Math.round(RATE / 5))),
  },
  thresholds: { http_req_failed: ['rate<0.01'], 'http_req_duration{scenario:readings}': ['p(99)<2000'] },
};

export function setup() {
  const res = http.post(`${BASE}/api/meters`, JSON.stringify(registryRows()), { headers: { 'content-type': 'application/json' } });
  if (res.status >= 300) console.warn(`registry upload answered ${res.status}: readings may be rejected as unknown meters`);
}

// A timestamp within the last day, unique per (VU, iteration, index): ms resolution spreads them.
function freshTs(k) {
  return Date.now() - 3600 * 1000 - ((__VU * 100003 + __ITER * 1009 + k * 7) % (20 * 3600 * 1000));
}

function countAccepted(res, n) {
  recordsSent.add(n);
  if (res.status === 200) {
    try {
      recordsAccepted.add(res.json('accepted') || 0);
    } catch (e) {
      // a body without counts
    }
  }
}

export function readings() {
  const body = [];
  for (let k = 0; k < BATCH; k++) {
    const i = (__VU * 7919 + __ITER * BATCH + k) % METERS;
    body.push({ meterId: meterId(i), ts: isoShanghai(freshTs(k)), reading: 1000 + __ITER + k / 1000, flow: 0.5 });
  }
  const res = http.post(`${BASE}/api/readings`, JSON.stringify(body), { headers: { 'content-type': 'application/json' }, tags: { endpoint: 'readings' } });
  check(res, { 'readings 200': (r) => r.status === 200 });
  countAccepted(res, BATCH);
}

function handheldRecords() {
  const records = [];
  for (let k = 0; k < 50; k++) records.push({ meterId: meterId((__ITER * 50 + k) % METERS), ts: freshTs(k), reading: 500 + __ITER + k / 10, estimated: false, estimateReason: null, note: '' });
  return records;
}

export function handheldJson() {
  const records = handheldRecords();
  const res = http.post(`${BASE}/api/handheld/uploads`, JSON.stringify({ readerId: `K6R${__VU}`, route: 'K6-01', records }), { headers: { 'content-type': 'application/json' }, tags: { endpoint: 'handheld_json' } });
  check(res, { 'handheld json 200': (r) => r.status === 200 });
  countAccepted(res, records.length);
}

export function handheldCsv() {
  const records = handheldRecords();
  const csv = ['meterId,ts,reading,estimated,estimateReason,note'].concat(records.map((r) => `${r.meterId},${r.ts},${r.reading},false,,`)).join('\n');
  const res = http.post(`${BASE}/api/handheld/uploads?readerId=K6R${__VU}&route=K6-01`, csv, { headers: { 'content-type': 'text/csv' }, tags: { endpoint: 'handheld_csv' } });
  check(res, { 'handheld csv 200': (r) => r.status === 200 });
  countAccepted(res, records.length);
}
