import type { Logger } from '../core/observability/logger.ts';

export interface Stoppable {
  stop(): Promise<void>;
}

/** Runs steps in order and remembers their stops. */
export class Steps {
  private readonly stops: (() => Promise<void>)[] = [];

  constructor(private readonly log: Logger) {}

  async run<T extends Stoppable>(started: Promise<T>): Promise<T> {
    const part = await started;
    this.stops.push(() => part.stop());
    return part;
  }

  /** Every stop, last started first; a failing stop is logged and the rest still run. */
  async stopAll(): Promise<void> {
    for (const stop of this.stops.splice(0).reverse())
      await stop().catch((err: unknown) => this.log.error({ err }, 'shutdown step failed'));
  }
}
