import type { Flow, IngestService } from '../ingest.service.ts';

/**
 * In-process source: the embedded broker hands each authorized device publish to ingest
 * and sends the PUBACK only when ingest calls back, after the reading is committed.
 * No accepted reading lives only in memory. When ingest is full the message waits and
 * `flow` stops reading the client's connection meanwhile (see IngestService.handle).
 */
export function embeddedBrokerSource(ingest: IngestService) {
  return function persist(
    _deviceId: string,
    topic: string,
    payload: Buffer,
    done: (err?: Error) => void,
    flow?: Flow,
  ): void {
    ingest.handle({ topic, payload, receivedAt: Date.now() }, done, flow);
  };
}
