// MQTT load through the xk6-mqtt extension (k6 built by benchmarks/build-k6.sh --mqtt):
// each VU is one smart meter gateway publishing a day of 24 hourly values per message with
// QoS 1 to meters/{meterId}/readings (interface.md §1), RATE messages per second per VU.
//   benchmarks/.bin/k6-mqtt run -e MQTT_URL=mqtt://127.0.0.1:1883 -e VUS=10 -e DURATION=30s benchmarks/k6/mqtt-readings.js
import { Client } from 'k6/x/mqtt';
import { Counter } from 'k6/metrics';
import { isoShanghai, meterId } from './lib.js';

const URL = __ENV.MQTT_URL || 'mqtt://127.0.0.1:1883';
const DURATION = __ENV.DURATION || '30s';
const seconds = Number(DURATION.replace(/s$/, '')) || 30;
const RATE = Number(__ENV.RATE || 100);
const published = new Counter('mqtt_messages_published');

export const options = { scenarios: { gateways: { executor: 'per-vu-iterations', vus: Number(__ENV.VUS || 10), iterations: 1, maxDuration: `${seconds + 30}s` } } };

export default function () {
  const client = new Client({ clientId: `k6-gw-${__VU}-${Date.now()}` });
  client.on('connect', () => {
    let n = 0;
    const day = Date.now() - 2 * 86400 * 1000;
    const timer = setInterval(() => {
      for (let k = 0; k < RATE / 10; k++) {
        const i = __VU * 100000 + n++;
        const values = [];
        for (let h = 1; h <= 24; h++) values.push({ ts: isoShanghai(day + h * 3600 * 1000 + (n % 997)), reading: 1000 + h * 0.1, flow: 0.1 });
        client.publish(`meters/${meterId(i)}/readings`, JSON.stringify(values), { qos: 1 });
        published.add(1);
      }
    }, 100);
    setTimeout(() => {
      clearInterval(timer);
      client.end();
    }, seconds * 1000);
  });
  client.connect(URL);
}
