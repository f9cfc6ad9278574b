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

  it('refuses an outbox webhook URL without its signing secret', () => {
    expect(() => loadEnv({ OUTBOX_WEBHOOK_URL: 'https://relay.example.com/outbox' })).toThrow(/OUTBOX_WEBHOOK_SECRET/);
    expect(loadEnv({ OUTBOX_WEBHOOK_URL: 'https://relay.example.com/outbox', OUTBOX_WEBHOOK_SECRET: 'x'.repeat(16) }).OUTBOX_MAX_ATTEMPTS).toBe(20);
  });
});
