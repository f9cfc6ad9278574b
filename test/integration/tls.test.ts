import { execFileSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { get } from 'node:https';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import mqtt from 'mqtt';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestPlatform, type TestPlatform } from '../support/platform.ts';

/**
 * With TLS_CERT_FILE/TLS_KEY_FILE the embedded broker adds MQTTS, and HTTP and MQTT over
 * WebSocket turn to HTTPS and WSS. The certificate is a self-signed one made here with openssl.
 */
let hasOpenssl = true;
try {
  execFileSync('openssl', ['version'], { stdio: 'ignore' });
} catch {
  hasOpenssl = false;
}

let p: TestPlatform;
let dir: string;
let ca: Buffer;
beforeAll(async () => {
  if (!hasOpenssl) return;
  dir = await mkdtemp(join(tmpdir(), 'sampletrack-tls-'));
  const cert = join(dir, 'cert.pem');
  const key = join(dir, 'key.pem');
  execFileSync(
    'openssl',
    [
      'req',
      '-x509',
      '-newkey',
      'ec',
      '-pkeyopt',
      'ec_paramgen_curve:prime256v1',
      '-nodes',
      '-keyout',
      key,
      '-out',
      cert,
      '-days',
      '1',
      '-subj',
      '/CN=127.0.0.1',
      '-addext',
      'subjectAltName=IP:127.0.0.1',
    ],
    { stdio: 'ignore' },
  );
  ca = await readFile(cert);
  p = await startTestPlatform({ TLS_CERT_FILE: cert, TLS_KEY_FILE: key, MQTTS_PORT: '0' });
});
afterAll(async () => {
  await p?.close();
  if (dir) await rm(dir, { recursive: true, force: true });
});

const httpsGet = (url: string, opts: { ca?: Buffer } = {}) =>
  new Promise<{ status: number; body: string }>((resolve, reject) => {
    get(url, opts, (res) => {
      let body = '';
      res.on('data', (c: Buffer) => (body += c.toString()));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body }));
    }).on('error', reject);
  });

describe.skipIf(!hasOpenssl || Boolean(process.env.TEST_MQTT_URL))('TLS when a certificate is configured', () => {
  it('serves the API over HTTPS, trusted with the certificate and refused without it', async () => {
    expect(p.httpUrl).toMatch(/^https:\/\//);
    const res = await httpsGet(`${p.httpUrl}/healthz`, { ca });
    expect(res.status).toBe(200);
    await expect(httpsGet(`${p.httpUrl}/healthz`)).rejects.toThrow(/self.signed|certificate/i);
  });

  it('lets a provisioned tracker in over MQTTS and WSS, and still checks its secret', async () => {
    expect(p.mqttsUrl).toMatch(/^mqtts:\/\//);
    expect(p.mqttWsUrl).toMatch(/^wss:\/\//);
    const id = `trk-tls-${randomBytes(3).toString('hex')}`;
    const { secret } = await p.provisionDevice(id);
    let seq = 0;
    for (const url of [p.mqttsUrl!, p.mqttWsUrl!]) {
      const c = await mqtt.connectAsync(url, {
        clientId: id,
        username: id,
        password: secret,
        ca,
        clean: false,
        reconnectPeriod: 0,
        protocolVersion: 4,
      });
      await c.publishAsync(`trackers/${id}/telemetry`, JSON.stringify({ seq: ++seq, ts: new Date().toISOString() }), {
        qos: 1,
      });
      await c.endAsync();
    }
    const { rows } = await p.pool.query('select seq from telemetry where device_id = $1 order by seq', [id]);
    expect(rows.map((r: { seq: number }) => r.seq)).toEqual([1, 2]);
    await expect(
      mqtt.connectAsync(p.mqttsUrl!, {
        clientId: id,
        username: id,
        password: 'wrong',
        ca,
        reconnectPeriod: 0,
        protocolVersion: 4,
      }),
    ).rejects.toMatchObject({ code: 4 });
  });
});
