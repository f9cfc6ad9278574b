import mqttPacket from 'mqtt-packet';
import { describe, expect, it } from 'vitest';
import { MqttPacketSizeScanner } from './mqtt-packet-size.ts';

const publish = (payloadBytes: number, topic = 'trackers/trk-000001/telemetry') =>
  mqttPacket.generate({
    cmd: 'publish',
    topic,
    payload: Buffer.alloc(payloadBytes, 0x61),
    qos: 1,
    messageId: 1,
    retain: false,
    dup: false,
  });
const pingreq = () => mqttPacket.generate({ cmd: 'pingreq' });

/** Feeds `bytes` in chunks of `size` (1 splits every varint), returning the first refusal or ok. */
function scan(limit: number, bytes: Buffer, size: number) {
  const s = new MqttPacketSizeScanner(limit);
  for (let i = 0; i < bytes.length; i += size) {
    const r = s.feed(bytes.subarray(i, i + size));
    if (!r.ok) return r;
  }
  return { ok: true as const };
}

describe('MqttPacketSizeScanner', () => {
  it('decodes remaining lengths of 1 to 4 bytes at their boundaries [MQTT-2.2.3]', () => {
    // 127 | 128 | 16 383 | 16 384 | 2 097 151 | 2 097 152: the edges of 1, 2, 3 and 4 length bytes.
    for (const rl of [3, 127, 128, 16_383, 16_384, 2_097_151, 2_097_152]) {
      // Topic 'a' at QoS 0: a variable header of 3 bytes, the rest is payload.
      const packet = mqttPacket.generate({
        cmd: 'publish',
        topic: 'a',
        payload: Buffer.alloc(rl - 3),
        qos: 0,
        retain: false,
        dup: false,
      });
      expect(scan(rl, packet, 1)).toEqual({ ok: true });
      expect(scan(rl - 1, packet, 1)).toMatchObject({ ok: false, reason: 'too_large' });
    }
  });

  it('passes a stream of packets at the limit, whatever the chunking', () => {
    const stream = Buffer.concat([publish(1000), pingreq(), publish(50_000), publish(0), pingreq()]);
    const limit = publish(50_000).length - 4; // remaining length of the largest (3 length bytes + type byte)
    for (const size of [1, 2, 3, 7, 1024, stream.length]) expect(scan(limit, stream, size)).toEqual({ ok: true });
  });

  it('refuses a packet over the limit after its header, before its body arrives', () => {
    const big = publish(300 * 1024);
    const s = new MqttPacketSizeScanner(256 * 1024);
    expect(s.feed(big.subarray(0, 1))).toEqual({ ok: true });
    // The remaining length's three bytes are in this chunk; the 300 KiB body never needs to arrive.
    const r = s.feed(big.subarray(1, 5));
    expect(r).toMatchObject({ ok: false, reason: 'too_large' });
    // And it stays refused.
    expect(s.feed(Buffer.from([0xc0, 0x00]))).toMatchObject({ ok: false, reason: 'too_large' });
  });

  it('refuses an oversized packet that follows good ones in the same chunk', () => {
    const stream = Buffer.concat([pingreq(), publish(10), publish(5000)]);
    expect(scan(4000, stream, stream.length)).toMatchObject({ ok: false, reason: 'too_large' });
    expect(scan(4000, stream, 1)).toMatchObject({ ok: false, reason: 'too_large' });
  });

  it('refuses a fifth remaining-length byte as malformed', () => {
    const bad = Buffer.from([0x30, 0xff, 0xff, 0xff, 0xff, 0x01]);
    expect(scan(Number.MAX_SAFE_INTEGER, bad, 1)).toEqual({ ok: false, reason: 'malformed_length' });
  });

  it('refuses early on a continuation that can only exceed the limit', () => {
    const s = new MqttPacketSizeScanner(200);
    // 0x80 continuation: at least 0 + 128 more → 128 ≤ 200, keep going; a second continuation means ≥ 16 384.
    expect(s.feed(Buffer.from([0x30, 0x80]))).toEqual({ ok: true });
    expect(s.feed(Buffer.from([0x80]))).toMatchObject({ ok: false, reason: 'too_large' });
  });
});
