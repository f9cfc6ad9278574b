import { describe, expect, it } from 'vitest';
import { ConfigError, loadEnv } from './env.ts';

describe('loadEnv', () => {
  it('gives embedded defaults when nothing is set', () => {
    const env = loadEnv({});
    expect(env.DATABASE_URL).toBeUndefined();
    expect(env.MQTT_URL).toBeUndefined();
    expect(env.HTTP_PORT).toBe(3000);
    expect(env.MQTT_PORT).toBe(1884);
  });

  it('treats empty strings as unset', () => {
    expect(loadEnv({ DATABASE_URL: '' }).DATABASE_URL).toBeUndefined();
  });

  it('names every bad variable at once', () => {
    try {
      loadEnv({ HTTP_PORT: 'abc', DATABASE_URL: 'http://nope', LOG_LEVEL: 'loud' });
      expect.unreachable();
    } catch (err) {
      expect(err).toBeInstanceOf(ConfigError);
      const msg = (err as ConfigError).message;
      expect(msg).toContain('HTTP_PORT');
      expect(msg).toContain('DATABASE_URL');
      expect(msg).toContain('LOG_LEVEL');
    }
  });

  it('takes TLS_CERT_FILE and TLS_KEY_FILE together or not at all', () => {
    expect(() => loadEnv({ TLS_CERT_FILE: '/etc/cert.pem' })).toThrow(
      /TLS_KEY_FILE: TLS_CERT_FILE and TLS_KEY_FILE go together/,
    );
    expect(() => loadEnv({ TLS_KEY_FILE: '/etc/key.pem' })).toThrow(ConfigError);
    expect(loadEnv({ TLS_CERT_FILE: '/c.pem', TLS_KEY_FILE: '/k.pem' })).toMatchObject({
      TLS_CERT_FILE: '/c.pem',
      MQTTS_PORT: 8883,
    });
  });

  it('has device-side limits on by default', () => {
    expect(loadEnv({})).toMatchObject({
      MQTT_MAX_PACKET_BYTES: 1024 * 1024,
      MQTT_CONNECTS_PER_DEVICE_PER_MIN: 10,
      MQTT_AUTH_FAILURES_PER_IP_PER_MIN: 30,
    });
    expect(() => loadEnv({ MQTT_MAX_PACKET_BYTES: '10' })).toThrow(/MQTT_MAX_PACKET_BYTES/);
    // Below the protocol's 256 KiB payload + headers, a conforming tracker would be cut off.
    expect(() => loadEnv({ MQTT_MAX_PACKET_BYTES: String(256 * 1024 + 4095) })).toThrow(/MQTT_MAX_PACKET_BYTES/);
    expect(loadEnv({ MQTT_MAX_PACKET_BYTES: String(256 * 1024 + 4096) }).MQTT_MAX_PACKET_BYTES).toBe(266_240);
  });

  it('keeps the embedded PostgreSQL below the ephemeral port range by default', () => {
    expect(loadEnv({}).EMBEDDED_PG_PORT).toBe(25432);
    expect(loadEnv({}).EMBEDDED_PG_PORT).toBeLessThan(32768);
  });

  it('takes DEVICE_SECRET_KEY of at least 32 characters and earlier keys comma-separated', () => {
    expect(loadEnv({}).DEVICE_SECRET_KEY).toBeUndefined();
    expect(loadEnv({}).DEVICE_SECRET_KEY_PREVIOUS).toEqual([]);
    expect(() => loadEnv({ DEVICE_SECRET_KEY: 'short' })).toThrow(/DEVICE_SECRET_KEY/);
    const a = 'a'.repeat(32);
    const b = 'b'.repeat(40);
    expect(loadEnv({ DEVICE_SECRET_KEY: a, DEVICE_SECRET_KEY_PREVIOUS: ` ${a}, ${b} ` })).toMatchObject({
      DEVICE_SECRET_KEY: a,
      DEVICE_SECRET_KEY_PREVIOUS: [a, b],
    });
    expect(() => loadEnv({ DEVICE_SECRET_KEY_PREVIOUS: `${a},short` })).toThrow(/DEVICE_SECRET_KEY_PREVIOUS/);
  });

  it('refuses an outbox webhook URL without its signing secret', () => {
    expect(() => loadEnv({ OUTBOX_WEBHOOK_URL: 'https://relay.example.com/outbox' })).toThrow(/OUTBOX_WEBHOOK_SECRET/);
    expect(
      loadEnv({ OUTBOX_WEBHOOK_URL: 'https://relay.example.com/outbox', OUTBOX_WEBHOOK_SECRET: 'x'.repeat(16) })
        .OUTBOX_MAX_ATTEMPTS,
    ).toBe(20);
  });

  it('takes MAP_TILE_URL as a raster {z}/{x}/{y} template or a style document URL, nothing else', () => {
    expect(loadEnv({ MAP_TILE_URL: 'https://tile.example.org/{z}/{x}/{y}.png' }).MAP_TILE_URL).toBe(
      'https://tile.example.org/{z}/{x}/{y}.png',
    );
    expect(loadEnv({ MAP_TILE_URL: 'https://tiles.example.com/styles/streets/style.json?key=abc' }).MAP_TILE_URL).toBe(
      'https://tiles.example.com/styles/streets/style.json?key=abc',
    );
    for (const bad of [
      'https://tile.example.org/{z}/{x}.png',
      'https://tiles.example.com/style',
      'ftp://tile.example.org/{z}/{x}/{y}.png',
      '/tiles/{z}/{x}/{y}.png',
    ]) {
      expect(() => loadEnv({ MAP_TILE_URL: bad }), bad).toThrow(/MAP_TILE_URL/);
    }
  });

  it('ROLES: all by default; a comma list in a fixed order; an unknown role or one without DATABASE_URL named', () => {
    const db = { DATABASE_URL: 'postgres://localhost/x' };
    expect(loadEnv({}).ROLES).toEqual(['ingest', 'api', 'jobs']);
    expect(loadEnv({ ...db, ROLES: 'jobs, api' }).ROLES).toEqual(['api', 'jobs']);
    expect(() => loadEnv({ ...db, ROLES: 'api,worker' })).toThrow(/ROLES: unknown role worker/);
    expect(() => loadEnv({ ...db, ROLES: 'all,api' })).toThrow(/ROLES: `all` goes alone/);
    expect(() => loadEnv({ ROLES: 'ingest' })).toThrow(/DATABASE_URL: a process of some roles only/);
    // Naming the three is `all`: it may run on the embedded database.
    expect(loadEnv({ ROLES: 'ingest,api,jobs' }).ROLES).toEqual(['ingest', 'api', 'jobs']);
  });
});
