import { describe, expect, it } from 'vitest';
import type { Logger } from '../core/observability/logger.ts';
import { Steps } from './step-runner.ts';

const silent = { error: () => {} } as unknown as Logger;

describe('Steps', () => {
  it('stops the parts in the reverse of their start, each once', async () => {
    const order: string[] = [];
    const steps = new Steps(silent);
    const part = (name: string) => Promise.resolve({ name, stop: async () => void order.push(name) });
    expect((await steps.run(part('database'))).name).toBe('database');
    await steps.run(part('ingest'));
    await steps.run(part('api'));
    await steps.stopAll();
    await steps.stopAll();
    expect(order).toEqual(['api', 'ingest', 'database']);
  });

  it('runs the remaining stops when one fails, and logs the failure', async () => {
    const order: string[] = [];
    const logged: unknown[] = [];
    const log = { error: (o: { err: unknown }) => logged.push(o.err) } as unknown as Logger;
    const steps = new Steps(log);
    await steps.run(Promise.resolve({ stop: async () => void order.push('first') }));
    await steps.run(
      Promise.resolve({
        stop: async () => {
          throw new Error('broken');
        },
      }),
    );
    await steps.stopAll();
    expect(order).toEqual(['first']);
    expect(logged).toEqual([new Error('broken')]);
  });

  it('does not record a step that failed to start', async () => {
    const order: string[] = [];
    const steps = new Steps(silent);
    await steps.run(Promise.resolve({ stop: async () => void order.push('database') }));
    await expect(steps.run(Promise.reject(new Error('port in use')))).rejects.toThrow('port in use');
    await steps.stopAll();
    expect(order).toEqual(['database']);
  });
});
