import { PassThrough } from 'node:stream';
import mqttPacket from 'mqtt-packet';
import { describe, expect, it } from 'vitest';
import { PacketSizeGuard, type Refusal } from './packet-size-guard.ts';

const publish = (payloadBytes: number) =>
  mqttPacket.generate({
    cmd: 'publish',
    topic: 't',
    payload: Buffer.alloc(payloadBytes, 0x61),
    qos: 1,
    messageId: 1,
    retain: false,
    dup: false,
  });

/** A guard over a PassThrough standing in for the socket: what is written to `socket` is what the peer sent. */
function guarded(limit: number) {
  const socket = new PassThrough();
  const refusals: Refusal[] = [];
  const guard = new PacketSizeGuard(socket, limit, (r) => refusals.push(r), '203.0.113.7');
  const read: Buffer[] = [];
  guard.on('data', (c: Buffer) => read.push(c));
  guard.on('error', () => {});
  return { socket, guard, refusals, read: () => Buffer.concat(read) };
}
const tick = () => new Promise((r) => setImmediate(r));

describe('PacketSizeGuard', () => {
  it('passes packets under the limit through unchanged, however the peer splits them', async () => {
    const g = guarded(2000);
    const bytes = Buffer.concat([publish(100), publish(1900)]);
    for (let i = 0; i < bytes.length; i += 7) g.socket.write(bytes.subarray(i, i + 7));
    await tick();
    expect(g.read()).toEqual(bytes);
    expect(g.refusals).toEqual([]);
    expect(g.guard.destroyed).toBe(false);
    expect(g.guard.remoteAddress).toBe('203.0.113.7');
  });

  it('closes the connection at an oversized header, once, and hands on nothing from that chunk on', async () => {
    const g = guarded(1000);
    const ok = publish(10);
    const big = publish(5000);
    g.socket.write(Buffer.concat([ok, big.subarray(0, 3)]));
    g.socket.write(big.subarray(3, 100));
    await tick();
    expect(g.refusals).toEqual([{ ok: false, reason: 'too_large', remainingLength: expect.any(Number) }]);
    expect(g.guard.destroyed).toBe(true);
    expect(g.socket.destroyed).toBe(true);
    // The chunk holding the bad header is not handed on at all: the connection is going
    // away, and a packet in it that gets no PUBACK is resent by the tracker.
    expect(g.read().length).toBe(0);
  });

  it('writes pass straight to the socket', async () => {
    const g = guarded(1000);
    const out: Buffer[] = [];
    g.socket.on('data', (c: Buffer) => out.push(c));
    g.guard.write(Buffer.from([0x20, 0x02, 0x00, 0x00]));
    await tick();
    expect(Buffer.concat(out)).toEqual(Buffer.from([0x20, 0x02, 0x00, 0x00]));
  });

  it('sends the PUBACKs written in one tick in one socket write, in order', async () => {
    const g = guarded(1000);
    const writes: Buffer[] = [];
    const write = g.socket.write.bind(g.socket);
    g.socket.write = ((chunk: Buffer, ...rest: never[]) => {
      writes.push(Buffer.from(chunk));
      return write(chunk, ...rest);
    }) as typeof g.socket.write;
    for (const messageId of [1, 2, 3, 258]) mqttPacket.writeToStream({ cmd: 'puback', messageId }, g.guard);
    await tick();
    expect(writes).toEqual([Buffer.from([0x40, 2, 0, 1, 0x40, 2, 0, 2, 0x40, 2, 0, 3, 0x40, 2, 1, 2])]);
  });
});
