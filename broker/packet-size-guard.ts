import { Duplex } from 'node:stream';
import { MqttPacketSizeScanner, type ScanResult } from './mqtt-packet-size.ts';

export type Refusal = Exclude<ScanResult, { ok: true }>;

/**
 * Puts an MQTT connection (TCP, TLS or a WebSocket stream) behind a size check: every
 * chunk read is measured by MqttPacketSizeScanner before the broker sees it, and the
 * connection is destroyed at the first packet whose Remaining Length exceeds the limit,
 * so an oversized packet is never buffered (aedes 1.2 has no maximum packet size; its
 * parser would collect the whole packet first). Writes pass straight through.
 *
 * `remoteAddress` is carried over so the broker's hooks still see the peer's address (aedes
 * also hangs its client on the stream it handles, this guard, as `client`).
 */
export class PacketSizeGuard extends Duplex {
  readonly remoteAddress: string | undefined;
  private readonly scanner: MqttPacketSizeScanner;
  private holds = 0;

  constructor(
    private readonly inner: Duplex,
    maxRemainingLength: number,
    onRefused: (refusal: Refusal, guard: PacketSizeGuard) => void,
    remoteAddress?: string,
  ) {
    super({ allowHalfOpen: false });
    this.remoteAddress = remoteAddress ?? (inner as Duplex & { remoteAddress?: string }).remoteAddress;
    this.scanner = new MqttPacketSizeScanner(maxRemainingLength);
    inner.on('data', (chunk: Buffer) => {
      if (this.destroyed) return; // chunks already read when the guard closed the connection
      const result = this.scanner.feed(chunk);
      if (!result.ok) {
        onRefused(result, this);
        this.destroy();
        return;
      }
      if (!this.push(chunk)) inner.pause();
    });
    inner.on('end', () => this.push(null));
    inner.on('error', (err) => this.destroy(err));
    inner.on('close', () => this.destroy());
  }

  /**
   * Stops reading the connection until every hold is released (ingest is full): what the
   * device sends stays in the kernel's buffers, TCP's window closes and the device waits.
   * aedes may still read what this stream already buffered (at most its highWaterMark).
   */
  hold(): void {
    this.holds++;
    this.inner.pause();
  }

  release(): void {
    if (this.holds > 0 && --this.holds === 0) this.inner.resume();
  }

  override _read(): void {
    if (this.holds === 0) this.inner.resume();
  }

  override _write(chunk: Buffer, _enc: BufferEncoding, done: (err?: Error | null) => void): void {
    this.send(chunk, done);
  }

  /**
   * What is written while the stream is corked goes to the connection as one buffer.
   * mqtt-packet corks around every packet it writes (a PUBACK is three writes) and uncorks
   * on the next tick, so the PUBACKs one committed batch releases for this client, all
   * called back in the same tick, leave in one socket write (one WebSocket frame), in order.
   */
  override _writev(chunks: { chunk: Buffer }[], done: (err?: Error | null) => void): void {
    this.send(chunks.length === 1 ? chunks[0]!.chunk : Buffer.concat(chunks.map((c) => c.chunk)), done);
  }

  private send(chunk: Buffer, done: (err?: Error | null) => void): void {
    if (this.inner.write(chunk)) done();
    else this.inner.once('drain', () => done());
  }

  override _final(done: (err?: Error | null) => void): void {
    this.inner.end(() => done());
  }

  override _destroy(err: Error | null, done: (err?: Error | null) => void): void {
    this.inner.destroy();
    done(err);
  }
}
