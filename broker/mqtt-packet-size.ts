/**
 * Measures MQTT control packets in a byte stream without buffering them, so an oversized
 * packet is caught from its first bytes instead of after the broker has read all of it.
 *
 * Every MQTT packet starts with a fixed header: one byte of type and flags, then the
 * Remaining Length — the bytes of variable header and payload that follow — as a variable
 * byte integer of 1 to 4 bytes, 7 bits each, least significant group first, the high bit
 * saying another byte follows ([MQTT-2.2.3] in MQTT 3.1.1; section 1.5.5 in MQTT 5). A
 * fifth length byte is malformed. The scanner keeps only its position in the current
 * packet, so chunks may split a packet anywhere, even inside the length.
 */
export type ScanResult =
  | { ok: true }
  | { ok: false; reason: 'too_large'; remainingLength: number }
  | { ok: false; reason: 'malformed_length' };

export class MqttPacketSizeScanner {
  /** Which part of a packet the next byte belongs to. */
  private state: 'type' | 'length' | 'body' = 'type';
  private length = 0;
  private multiplier = 1;
  private lengthBytes = 0;
  private bodyLeft = 0;
  private failed: ScanResult | undefined;

  /** @param maxRemainingLength the largest Remaining Length accepted (variable header + payload). */
  constructor(private readonly maxRemainingLength: number) {}

  /** Scans the next chunk of the stream; once a packet is refused every later call repeats the refusal. */
  feed(chunk: Uint8Array): ScanResult {
    if (this.failed) return this.failed;
    let i = 0;
    while (i < chunk.length) {
      if (this.state === 'body') {
        const skip = Math.min(this.bodyLeft, chunk.length - i);
        i += skip;
        this.bodyLeft -= skip;
        if (this.bodyLeft === 0) this.state = 'type';
      } else if (this.state === 'type') {
        i += 1;
        this.state = 'length';
        this.length = 0;
        this.multiplier = 1;
        this.lengthBytes = 0;
      } else {
        const byte = chunk[i++]!;
        this.lengthBytes += 1;
        this.length += (byte & 0x7f) * this.multiplier;
        this.multiplier *= 128;
        if (byte & 0x80) {
          if (this.lengthBytes === 4) return (this.failed = { ok: false, reason: 'malformed_length' });
          // Refuse as soon as the length can only end up too large: the next group alone adds ≥ multiplier.
          if (this.length + this.multiplier > this.maxRemainingLength) {
            return (this.failed = { ok: false, reason: 'too_large', remainingLength: this.length + this.multiplier });
          }
          continue;
        }
        if (this.length > this.maxRemainingLength) {
          return (this.failed = { ok: false, reason: 'too_large', remainingLength: this.length });
        }
        this.bodyLeft = this.length;
        this.state = this.length === 0 ? 'type' : 'body';
      }
    }
    return { ok: true };
  }
}
