/**
 * server.conf of the managed QuestDB. Auto-creation over ILP is off: every table comes from
 * a migration (architecture.md: pre-create tables, turn off auto-creation).
 */
export interface ServerConfInput {
  host: string;
  httpPort: number;
  pgPort: number;
  healthPort: number;
}

export function renderServerConf(c: ServerConfInput): string {
  return [
    '# written by meterwatch on every start; edit MW_QUESTDB_* settings instead',
    `http.net.bind.to=${c.host}:${c.httpPort}`,
    `http.min.net.bind.to=${c.host}:${c.healthPort}`,
    `pg.net.bind.to=${c.host}:${c.pgPort}`,
    'line.tcp.enabled=false',
    'line.udp.enabled=false',
    'line.auto.create.new.tables=false',
    'line.auto.create.new.columns=false',
    'telemetry.enabled=false',
    'http.security.readonly=false',
    '',
  ].join('\n');
}
