import { describe, expect, it } from 'vitest';
import { ErrorCodes, MeterwatchError } from '../errors.ts';
import { describeSettings, loadConfig, settingsMarkdown } from './index.ts';

describe('loadConfig', () => {
  it('gives the documented defaults when nothing is set', () => {
    const c = loadConfig({});
    expect(c.http.port).toBe(8080);
    expect(c.mqtt.port).toBe(1883);
    expect(c.general.timezone).toBe('Asia/Shanghai');
    expect(c.questdb.url).toBeUndefined();
    expect(c.questdb.useMaven).toBe(true);
  });

  it('parses numbers, booleans and durations from text', () => {
    const c = loadConfig({ MW_HTTP_PORT: '9090', MW_USE_MAVEN: 'false', MW_QUESTDB_START_TIMEOUT: '2m' });
    expect(c.http.port).toBe(9090);
    expect(c.questdb.useMaven).toBe(false);
    expect(c.questdb.startTimeout).toBe(120_000);
  });

  it('reports every bad variable with its value in one error', () => {
    let caught: unknown;
    try {
      loadConfig({ MW_HTTP_PORT: 'eighty', MW_MQTT_MODE: 'carrier-pigeon' });
    } catch (err) {
      caught = err;
    }
    expect(caught).toBeInstanceOf(MeterwatchError);
    const e = caught as MeterwatchError;
    expect(e.code).toBe(ErrorCodes.CONFIG_INVALID);
    expect(e.message).toContain('MW_HTTP_PORT="eighty"');
    expect(e.message).toContain('MW_MQTT_MODE="carrier-pigeon"');
  });

  it('is frozen', () => {
    const c = loadConfig({});
    expect(Object.isFrozen(c)).toBe(true);
    expect(Object.isFrozen(c.http)).toBe(true);
    expect(() => {
      (c.http as { port: number }).port = 1;
    }).toThrow();
  });

  it('lists every setting for --help and the README', () => {
    const help = describeSettings();
    for (const env of ['MW_QUESTDB_URL', 'MW_HTTP_PORT', 'MW_TIMEZONE', 'MW_DATA_DIR']) expect(help).toContain(env);
    expect(settingsMarkdown().split('\n').length).toBe(help.split('\n').length + 2);
  });
});
