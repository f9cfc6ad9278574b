import type { AedesPublishPacket, Client } from 'aedes';
import type { IngestService } from '../ingest.service.ts';

/**
 * In-process source: the embedded broker's `published` hook hands each accepted publish
 * to ingest, and aedes sends the PUBACK only when ingest calls back, i.e. after the
 * reading is committed. No copy of the message lives anywhere unacknowledged.
 */
export function embeddedBrokerSource(ingest: IngestService) {
  return function published(packet: AedesPublishPacket, client: Client | null, done: (err?: Error | null) => void): void {
    // Only device publishes are ingested; the platform's own (config) pass straight through.
    if (!client || !packet.topic.startsWith('trackers/')) return done(null);
    const payload = Buffer.isBuffer(packet.payload) ? packet.payload : Buffer.from(packet.payload);
    ingest.handle({ topic: packet.topic, payload, receivedAt: Date.now() }, (err) => done(err ?? null));
  };
}
