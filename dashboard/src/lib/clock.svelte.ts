import { createSubscriber } from 'svelte/reactivity';

// The browser's clock may be off from the platform's; "last seen 3 min ago" is only honest
// on the server's time. The HTTP Date header has one-second resolution, so a difference is
// only corrected once it clearly exceeds that.
const MIN_CORRECTED_SKEW_MS = 3000;

class ServerClock {
  #offsetMs = 0;
  // Ticks once a second, and only while something on screen reads `now`.
  #subscribe = createSubscriber((update) => {
    const interval = setInterval(update, 1000);
    return () => clearInterval(interval);
  });

  /** Current time on the platform's clock (ms since epoch), re-read every second. */
  get now(): number {
    this.#subscribe();
    return Date.now() + this.#offsetMs;
  }

  /** How far the browser's clock is behind the platform's, as last measured (ms). */
  get offsetMs(): number {
    return this.#offsetMs;
  }

  /** Learns the platform's time from an HTTP response's Date header. */
  noteServerDate(header: string | null): void {
    if (!header) return;
    const serverMs = Date.parse(header);
    if (Number.isNaN(serverMs)) return;
    // The header is truncated to the second: the true server time is up to 1 s later.
    const offset = serverMs + 500 - Date.now();
    this.#offsetMs = Math.abs(offset) >= MIN_CORRECTED_SKEW_MS ? offset : 0;
  }
}

export const serverClock = new ServerClock();
