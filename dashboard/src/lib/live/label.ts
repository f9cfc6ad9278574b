import type { LiveState } from './state.ts';

/** How the feed's state reads: "Live", "Reconnecting…", "Disconnected · retrying in 4 s". */
export function liveLabel(state: LiveState, browserNowMs: number): string {
  if (state.kind === 'open') return 'Live';
  if (state.kind === 'connecting') return state.attempt ? 'Reconnecting…' : 'Connecting…';
  const seconds = Math.max(0, Math.ceil((state.retryAt - browserNowMs) / 1000));
  return `Disconnected · retrying in ${seconds} s`;
}
