/**
 * Ingest figures for GET /metrics in Prometheus text format (issue 3 item 6): messages in,
 * records accepted and rejected, flush latency histogram, spool depth. Kept dependency-free:
 * a handful of counters does not need a client library.
 */
const FLUSH_BUCKETS = [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10];

export type MessageSource = 'mqtt' | 'http';

export class IngestMetrics {
  readonly messagesIn: Record<MessageSource, number> = { mqtt: 0, http: 0 };
  recordsAccepted = 0;
  recordsRejected = 0;
  /** Messages not acknowledged because neither QuestDB nor the spool could take them. */
  messagesRefused = 0;
  spoolAppends = 0;
  private readonly flushCounts = FLUSH_BUCKETS.map(() => 0);
  private flushCount = 0;
  private flushSum = 0;

  observeFlush(seconds: number): void {
    this.flushCount++;
    this.flushSum += seconds;
    FLUSH_BUCKETS.forEach((le, i) => {
      if (seconds <= le) this.flushCounts[i]!++;
    });
  }

  /** The exposition text; `gauges` are read at scrape time (spool depth, pending rows). */
  render(gauges: { spoolRows: number; spoolBytes: number; pendingRows: number; storageUp: boolean }): string {
    const lines: string[] = [];
    const metric = (name: string, type: string, help: string, samples: [string, number][]) => {
      lines.push(`# HELP ${name} ${help}`, `# TYPE ${name} ${type}`);
      for (const [labels, value] of samples) lines.push(`${name}${labels} ${value}`);
    };
    metric('meterwatch_ingest_messages_total', 'counter', 'MQTT messages and HTTP bodies received', [
      ['{source="mqtt"}', this.messagesIn.mqtt],
      ['{source="http"}', this.messagesIn.http],
    ]);
    metric('meterwatch_ingest_records_accepted_total', 'counter', 'records made durable (QuestDB or spool)', [['', this.recordsAccepted]]);
    metric('meterwatch_ingest_records_rejected_total', 'counter', 'records refused by validation and kept with a reason', [['', this.recordsRejected]]);
    metric('meterwatch_ingest_messages_refused_total', 'counter', 'messages not acknowledged: spool full or too much pending', [['', this.messagesRefused]]);
    metric('meterwatch_ingest_spool_appends_total', 'counter', 'group commits written to the spool', [['', this.spoolAppends]]);
    lines.push('# HELP meterwatch_ingest_flush_seconds latency of successful QuestDB ILP flushes', '# TYPE meterwatch_ingest_flush_seconds histogram');
    FLUSH_BUCKETS.forEach((le, i) => lines.push(`meterwatch_ingest_flush_seconds_bucket{le="${le}"} ${this.flushCounts[i]}`));
    lines.push(`meterwatch_ingest_flush_seconds_bucket{le="+Inf"} ${this.flushCount}`);
    lines.push(`meterwatch_ingest_flush_seconds_sum ${this.flushSum}`, `meterwatch_ingest_flush_seconds_count ${this.flushCount}`);
    metric('meterwatch_ingest_spool_rows', 'gauge', 'rows in the spool awaiting replay', [['', gauges.spoolRows]]);
    metric('meterwatch_ingest_spool_bytes', 'gauge', 'bytes in the spool', [['', gauges.spoolBytes]]);
    metric('meterwatch_ingest_pending_rows', 'gauge', 'rows received and not yet durable', [['', gauges.pendingRows]]);
    metric('meterwatch_ingest_storage_up', 'gauge', '1 when records go straight to QuestDB, 0 while they go to the spool', [['', gauges.storageUp ? 1 : 0]]);
    return `${lines.join('\n')}\n`;
  }
}
