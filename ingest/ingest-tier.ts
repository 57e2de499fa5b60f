import { hostname } from 'node:os';
import { join, resolve } from 'node:path';
import type { TypedBus } from '../core/bus.ts';
import type { Config } from '../core/config/index.ts';
import type { MeterwatchEvents } from '../core/events.ts';
import type { Logger } from '../core/logger.ts';
import { IlpWriter } from '../storage/ilp-writer.ts';
import { EmbeddedBroker, type BrokerState, type MessageConsumer } from './broker/embedded-broker.ts';
import { ExternalSubscriber } from './broker/external-subscriber.ts';
import { openToNetwork, resolveAuthMode, type AuthMode } from './broker/security.ts';
import { DurableSink } from './durable-sink.ts';
import { IngestService, isIngestTopic } from './ingest-service.ts';
import { IngestMetrics } from './metrics.ts';
import { Spool } from './spool/spool.ts';

export interface IngestTierOptions {
  config: Config;
  /** QuestDB HTTP URL (ILP over HTTP). */
  questdbHttpUrl: string;
  bus: TypedBus<MeterwatchEvents>;
  log: Logger;
  /** Registry lookup (another part); consulted when MW_INGEST_ENFORCE_REGISTRY is on. */
  knownMeter?: ((meterId: string) => boolean | undefined) | undefined;
}

export interface IngestTier {
  readonly service: IngestService;
  readonly metrics: IngestMetrics;
  readonly sink: DurableSink;
  readonly authMode: AuthMode;
  /** The bearer token HTTP ingest requires; undefined when authentication is off. */
  readonly apiToken: string | undefined;
  /** The embedded broker (embedded mode) — its `aedes` can publish alerts. */
  readonly broker: EmbeddedBroker | undefined;
  brokerState(): BrokerState;
  metricsText(): string;
  health(): { accepted: number; rejected: number; pending: number; spooled: number; storage: 'direct' | 'spooling' };
  stop(): Promise<void>;
}

/**
 * Builds and starts the ingest tier from the configuration: spool (replaying what a
 * previous run left), durable sink, decoders, and the MQTT side (embedded aedes or a shared
 * subscription on an external broker). Stop order: MQTT first (no new messages), then the
 * sink (flushes what is pending), which closes the spool.
 */
export async function startIngestTier(o: IngestTierOptions): Promise<IngestTier> {
  const { config, log } = o;
  const c = config.ingest;
  const hosts = config.mqtt.mode === 'embedded' ? [config.mqtt.host, config.http.host] : [config.http.host];
  const authMode = resolveAuthMode(c.auth, hosts, c.secret);
  if (openToNetwork(authMode, hosts)) {
    log.warn({ hosts }, 'ingest accepts devices without credentials on a network address: set MW_INGEST_SECRET (and MW_API_TOKEN) for a production deployment');
  }
  if (authMode === 'hmac' && !c.apiToken) {
    log.warn('MW_API_TOKEN is not set: HTTP ingest endpoints refuse every request');
  }
  const metrics = new IngestMetrics();
  const spool = new Spool({ dir: resolve(c.spoolDir ?? join(config.general.dataDir, 'spool')), maxBytes: c.spoolMaxBytes, log: log.child({ module: 'spool' }) });
  await spool.open();
  const sink = new DurableSink({
    writer: new IlpWriter({ httpUrl: o.questdbHttpUrl, timeoutMs: c.flushTimeout }),
    spool,
    bus: o.bus,
    metrics,
    log: log.child({ module: 'sink' }),
    groupCommitMs: c.groupCommit,
    batchRows: c.batchRows,
    maxPendingRows: c.maxPendingRows,
    maxConcurrentFlushes: c.concurrentFlushes,
    replayIntervalMs: c.replayInterval,
  });
  sink.start();
  const service = new IngestService({
    sink,
    metrics,
    log: log.child({ module: 'ingest' }),
    maxPayloadBytes: c.maxPayloadBytes,
    futureToleranceMs: c.futureTolerance,
    enforceRegistry: c.enforceRegistry,
    knownMeter: o.knownMeter,
  });
  const consumer: MessageConsumer = { accepts: isIngestTopic, handle: (topic, payload, clientId) => service.handleMqtt(topic, payload, clientId) };

  let broker: EmbeddedBroker | undefined;
  let external: ExternalSubscriber | undefined;
  try {
    if (config.mqtt.mode === 'external') {
      if (!config.mqtt.url) throw new Error('MW_MQTT_MODE=external needs MW_MQTT_URL');
      external = new ExternalSubscriber({
        url: config.mqtt.url,
        shareGroup: c.shareGroup,
        clientIdPrefix: c.clientId ?? `meterwatch-${hostname()}`,
        lanes: c.lanes,
        username: c.mqttUsername,
        password: c.mqttPassword,
        consumer,
        log: log.child({ module: 'mqtt-external' }),
      });
      await external.start();
    } else {
      broker = new EmbeddedBroker({
        host: config.mqtt.host,
        port: config.mqtt.port,
        log: log.child({ module: 'broker' }),
        consumer,
        auth: { mode: authMode, secret: c.secret },
        maxPacketBytes: config.mqtt.maxPacketBytes,
        connectionRate: c.connectionRate,
      });
      await broker.start();
    }
  } catch (err) {
    await external?.stop();
    await sink.stop();
    throw err;
  }

  return {
    service,
    metrics,
    sink,
    authMode,
    apiToken: authMode === 'none' ? undefined : (c.apiToken ?? ''),
    broker,
    brokerState: () => (broker ? broker.state() : external!.state()),
    metricsText: () => metrics.render({ spoolRows: sink.spooledRows, spoolBytes: sink.spooledBytes, pendingRows: sink.pendingCount, storageUp: sink.storageUp }),
    health: () => ({ accepted: sink.accepted, rejected: sink.rejected, pending: sink.pendingCount, spooled: sink.spooledRows, storage: sink.storageUp ? 'direct' : 'spooling' }),
    async stop() {
      await broker?.stop();
      await external?.stop();
      await sink.stop();
    },
  };
}
