// The alert stream (interface.md §2, GET /api/alerts/stream): CONNECTIONS WebSocket clients
// hold the stream open; one VU posts readings with a flow of 55 m³/h (≥ 40: large_flow,
// interface.md §3) for fresh meters and measures the time until the alert for that meter
// arrives on its own stream connection: alert_latency (publish → WebSocket), p50/p99.
//   k6 run -e MW_URL=http://127.0.0.1:8080 -e CONNECTIONS=50 -e DURATION=30s benchmarks/k6/ws-alerts.js
import http from 'k6/http';
import ws from 'k6/ws';
import { check } from 'k6';
import { Counter, Trend } from 'k6/metrics';
import { BASE, isoShanghai, meterId, registryRows } from './lib.js';

const CONNECTIONS = Number(__ENV.CONNECTIONS || 50);
const DURATION = __ENV.DURATION || '30s';
const seconds = Number(DURATION.replace(/s$/, '')) || 30;
const alertsReceived = new Counter('alerts_received');
const alertLatency = new Trend('alert_latency', true);

export const options = {
  scenarios: {
    listeners: { executor: 'constant-vus', vus: CONNECTIONS, duration: DURATION, exec: 'listen' },
    probe: { executor: 'constant-vus', vus: 1, duration: DURATION, exec: 'probe' },
  },
  thresholds: { 'checks{check:stream upgraded}': ['rate>0.99'] },
};

export function setup() {
  http.post(`${BASE}/api/meters`, JSON.stringify(registryRows()), { headers: { 'content-type': 'application/json' } });
}

export function listen() {
  const res = ws.connect(`${BASE.replace(/^http/, 'ws')}/api/alerts/stream`, {}, (socket) => {
    socket.on('message', () => alertsReceived.add(1));
    socket.setTimeout(() => socket.close(), seconds * 1000);
  });
  check(res, { 'stream upgraded': (r) => r && r.status === 101 });
}

// Posts a large-flow reading pair for a new meter each few seconds and waits for its alert.
export function probe() {
  const res = ws.connect(`${BASE.replace(/^http/, 'ws')}/api/alerts/stream`, {}, (socket) => {
    const sentAt = {};
    let n = 0;
    socket.on('message', (data) => {
      let alert;
      try {
        alert = JSON.parse(data);
      } catch (e) {
        return;
      }
      if (alert && alert.rule === 'large_flow' && sentAt[alert.meterId] !== undefined) {
        alertLatency.add(Date.now() - sentAt[alert.meterId]);
        delete sentAt[alert.meterId];
      }
    });
    socket.setInterval(() => {
      const id = meterId(500 + (n++ % 500));
      const t = Date.now() - 60 * 1000;
      const body = [
        { meterId: id, ts: isoShanghai(t - 3600 * 1000), reading: 100 + n * 100 },
        { meterId: id, ts: isoShanghai(t), reading: 155 + n * 100, flow: 55 },
      ];
      sentAt[id] = Date.now();
      http.post(`${BASE}/api/readings`, JSON.stringify(body), { headers: { 'content-type': 'application/json' } });
    }, 2000);
    socket.setTimeout(() => socket.close(), seconds * 1000);
  });
  check(res, { 'stream upgraded': (r) => r && r.status === 101 });
}
