import { EventEmitter } from 'node:events';
import type { Aedes, Client } from 'aedes';
import { describe, expect, it } from 'vitest';
import { BrokerDeviceSessions } from './device-sessions.ts';

const silent = { info: () => {}, warn: () => {}, error: () => {}, debug: () => {} } as never;

/** Just enough of aedes: its clients by id and the clientReady event. */
function fakeBroker() {
  const emitter = new EventEmitter();
  const clients: Record<string, Client> = {};
  return { broker: Object.assign(emitter, { clients }) as unknown as Aedes & EventEmitter, clients };
}
function fakeClient(id: string) {
  const c = {
    id,
    closes: 0,
    close() {
      this.closes += 1;
    },
  };
  return c as unknown as Client & { closes: number };
}

describe('BrokerDeviceSessions', () => {
  it('revoke forgets the verified secret and closes the open connection, which is no longer current', () => {
    const { broker, clients } = fakeBroker();
    const s = new BrokerDeviceSessions(silent);
    s.attach(broker);
    const c = fakeClient('trk-1');
    clients['trk-1'] = c;
    s.remember('trk-1', 'digest', s.generation('trk-1'));
    s.signedIn(c, s.generation('trk-1'));
    expect(s.isVerified('trk-1', 'digest')).toBe(true);
    expect(s.isCurrent(c)).toBe(true);

    s.revoke('trk-1', 'disabled');
    expect(s.isVerified('trk-1', 'digest')).toBe(false);
    expect(c.closes).toBe(1);
    expect(s.isCurrent(c)).toBe(false);
  });

  it('a check that started before a revoke is not remembered, and its sign-in is closed once ready', () => {
    const { broker } = fakeBroker();
    const s = new BrokerDeviceSessions(silent);
    s.attach(broker);
    const startedUnder = s.generation('trk-2');
    s.revoke('trk-2', 'secret_rotated'); // commits while the old secret's scrypt check runs
    s.remember('trk-2', 'old-digest', startedUnder);
    expect(s.isVerified('trk-2', 'old-digest')).toBe(false);

    const late = fakeClient('trk-2');
    s.signedIn(late, startedUnder);
    broker.emit('clientReady', late);
    expect(late.closes).toBe(1);

    const fresh = fakeClient('trk-2');
    s.signedIn(fresh, s.generation('trk-2'));
    broker.emit('clientReady', fresh);
    expect(fresh.closes).toBe(0);
  });

  it('keeps other devices untouched', () => {
    const { broker, clients } = fakeBroker();
    const s = new BrokerDeviceSessions(silent);
    s.attach(broker);
    const other = fakeClient('trk-3');
    clients['trk-3'] = other;
    s.signedIn(other, 0);
    s.remember('trk-3', 'd', 0);
    s.revoke('trk-4', 'disabled');
    expect(other.closes).toBe(0);
    expect(s.isCurrent(other)).toBe(true);
    expect(s.isVerified('trk-3', 'd')).toBe(true);
  });
});
