import { describe, expect, it } from 'vitest';
import { deviceMayUseResource, deviceMayUseTopic } from './engine-acl.ts';

describe('engine ACL for trackers', () => {
  it('publishes only to its own telemetry and status', () => {
    const w = (routingKey: string, username = 'trk-1') =>
      deviceMayUseTopic({ username, name: 'amq.topic', permission: 'write', routingKey });
    expect(w('trackers.trk-1.telemetry')).toBe(true);
    expect(w('trackers.trk-1.status')).toBe(true);
    expect(w('trackers.trk-1.config')).toBe(false);
    expect(w('trackers.trk-2.telemetry')).toBe(false);
    expect(w('trackers.trk-10.telemetry', 'trk-1')).toBe(false);
    expect(w('trackers.trk-1.telemetry.x')).toBe(false);
  });

  it('subscribes only to its own config', () => {
    const r = (routingKey: string) =>
      deviceMayUseTopic({ username: 'trk-1', name: 'amq.topic', permission: 'read', routingKey });
    expect(r('trackers.trk-1.config')).toBe(true);
    expect(r('trackers.trk-1.telemetry')).toBe(false);
    expect(r('trackers.*.config')).toBe(false);
    expect(r('#')).toBe(false);
  });

  it('never reaches the ingest partitions or another exchange', () => {
    const q = (name: string, permission = 'read') =>
      deviceMayUseResource({ username: 'trk-1', resource: 'queue', name, permission });
    expect(q('mqtt-subscription-trk-1qos1', 'configure')).toBe(true);
    expect(q('mqtt-subscription-trk-2qos1')).toBe(false);
    expect(q('sampletrack.ingest.0')).toBe(false);
    expect(
      deviceMayUseResource({ username: 'trk-1', resource: 'exchange', name: 'amq.topic', permission: 'write' }),
    ).toBe(true);
    expect(
      deviceMayUseResource({ username: 'trk-1', resource: 'exchange', name: 'amq.topic', permission: 'configure' }),
    ).toBe(false);
    expect(
      deviceMayUseResource({
        username: 'trk-1',
        resource: 'exchange',
        name: 'sampletrack.telemetry',
        permission: 'write',
      }),
    ).toBe(false);
    expect(
      deviceMayUseTopic({
        username: 'trk-1',
        name: 'amq.direct',
        permission: 'write',
        routingKey: 'trackers.trk-1.telemetry',
      }),
    ).toBe(false);
  });
});
