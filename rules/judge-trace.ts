import { appendFileSync } from 'node:fs';
import type { Reading } from '../core/protocol/tracker-protocol.ts';

/**
 * INGEST_TRACE_FILE: one line `worker device seq` per judged reading, appended in the order
 * the rules judged them. Every worker appends to the same file with O_APPEND, one write per
 * batch, so the lines of all workers interleave in real order, and a SIGKILL loses no line
 * already written. A diagnostic for the scale-out fault test; off by default.
 */
export function judgeTrace(file: string, worker: string): (readings: readonly Reading[]) => void {
  return (readings) => {
    let out = '';
    for (const r of readings) out += `${worker} ${r.deviceId} ${r.seq}\n`;
    if (out) appendFileSync(file, out);
  };
}
