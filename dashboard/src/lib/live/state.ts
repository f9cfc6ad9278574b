/** The live socket's connection state (lib/live/socket.ts sets it). */
export type LiveState =
  | { kind: 'connecting'; attempt: number }
  | { kind: 'open'; since: number }
  | { kind: 'waiting'; attempt: number; retryAt: number };
