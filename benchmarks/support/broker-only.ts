/**
 * The "broker alone" ceiling: the embedded aedes broker with the ingest hooks in place but a
 * consumer that stores nothing, in its own process like `meterwatch ingest`. Prints its
 * port on stdout, runs until killed.
 */
import { silentLogger } from '../../core/logger.ts';
import { EmbeddedBroker } from '../../ingest/broker/embedded-broker.ts';

const broker = new EmbeddedBroker({
  host: '127.0.0.1',
  port: Number(process.argv[2] ?? 0),
  log: silentLogger(),
  consumer: { accepts: () => true, handle: async () => undefined },
  maxPacketBytes: 1024 * 1024,
});
await broker.start();
process.stdout.write(`${broker.port}\n`);
process.on('SIGTERM', () => void broker.stop().then(() => process.exit(0)));
