/** What the comparison needs of each candidate engine. */
export interface Engine {
  name: string;
  mqtt: { url: string; username?: string; password?: string };
  /** The engine's server process, for its CPU from /proc. */
  pid(): number;
  /** SIGKILL: no clean shutdown; only what the engine had on disk may survive. */
  kill(): Promise<void>;
  /** Starts it again on the same data folder and ports. */
  start(): Promise<void>;
  /**
   * Every reading of devices whose id starts with `prefix` that the engine holds for ingest,
   * as `device:seq`, and how many of those devices' readings landed in more than one partition.
   */
  present(prefix: string): Promise<{ keys: Set<string>; splitDevices: number; partitions: number }>;
  close(): Promise<void>;
}
