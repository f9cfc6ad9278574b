import { createHmac, timingSafeEqual } from 'node:crypto';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { FollowUpScheduler } from '../../workers/follow-up.scheduler.ts';
import type { OutboxWebhookBody } from '../../workers/outbox-delivery.ts';
import { OutboxRepository } from '../../core/storage/repositories/outbox.repository.ts';
import { withTransaction } from '../../core/storage/transaction.ts';
import { startTestPlatform, type TestPlatform } from '../support/platform.ts';
import { waitFor } from '../support/wait-for.ts';
import { dispatch, label, programApi } from './sample-program.support.ts';

const SECRET = 'outbox-test-secret-0123456789';

interface Request {
  key: string;
  attempt: number;
  signatureValid: boolean;
  body: OutboxWebhookBody;
}

/**
 * A real HTTP receiver of the outbox webhook. It refuses the first two attempts of every
 * message (503), and every attempt of a message while its kind is in `refuse`; it checks
 * each signature and keeps one accepted copy per idempotency key, as a deduping receiver does.
 */
function receiver() {
  const requests: Request[] = [];
  const accepted = new Map<string, Request>();
  const refuse = new Set<string>();
  const server: Server = createServer((req, res) => {
    let raw = '';
    req.on('data', (c: Buffer) => (raw += c));
    req.on('end', () => {
      const ts = String(req.headers['x-sampletrack-timestamp']);
      const expected = Buffer.from(`sha256=${createHmac('sha256', SECRET).update(`${ts}.${raw}`).digest('hex')}`);
      const got = Buffer.from(String(req.headers['x-sampletrack-signature']));
      const r: Request = {
        key: String(req.headers['idempotency-key']),
        attempt: Number(req.headers['x-sampletrack-attempt']),
        signatureValid: got.length === expected.length && timingSafeEqual(got, expected),
        body: JSON.parse(raw) as OutboxWebhookBody,
      };
      requests.push(r);
      if (refuse.has(r.body.kind) || requests.filter((x) => x.key === r.key).length <= 2) {
        res.writeHead(503).end('down for maintenance');
        return;
      }
      if (!accepted.has(r.key)) accepted.set(r.key, r);
      res.writeHead(204).end();
    });
  });
  return {
    requests,
    accepted,
    refuse,
    listen: () =>
      new Promise<string>((r) =>
        server.listen(0, '127.0.0.1', () => r(`http://127.0.0.1:${(server.address() as AddressInfo).port}/outbox`)),
      ),
    close: () => new Promise<void>((r) => server.close(() => r())),
  };
}

interface Message {
  id: number;
  idempotencyKey: string;
  kind: string;
  status: string;
  attempts: number;
  lastError: string | null;
}

const hook = receiver();
let p: TestPlatform;
beforeAll(async () => {
  const url = await hook.listen();
  p = await startTestPlatform({
    OUTBOX_WEBHOOK_URL: url,
    OUTBOX_WEBHOOK_SECRET: SECRET,
    OUTBOX_MAX_ATTEMPTS: '3',
    WEBHOOK_RETRY_BASE_MS: '30',
    WEBHOOK_POLL_MS: '20',
  });
});
afterAll(async () => {
  await p?.close();
  await hook.close();
});

const outbox = async (q = '') => (await p.api<{ messages: Message[] }>(`/api/outbox${q}`)).body.messages;

describe('the follow-up outbox is delivered to the configured webhook', () => {
  it('each message arrives once per idempotency key, signed, after the receiver failed its first attempts', async () => {
    const api = programApi(p);
    const creator = await api.creator('@outbox.ava', { contact: { email: 'ava@example.com' } });
    await api.product('OUTBOX-SKU');
    const { sample } = await api.request({ creator: '@outbox.ava', sku: 'OUTBOX-SKU' });
    await api.event(sample.id, label('TRK-OUTBOX'));
    await api.event(sample.id, dispatch);
    await new FollowUpScheduler(p.pool).runOnce(new Date());

    const queued = await outbox(`?sampleId=${sample.id}`);
    expect(queued.map((m) => m.kind).sort()).toEqual(['send_brief', 'send_shipment_confirmation']);
    const delivered = await waitFor(
      async () => {
        const rows = await outbox(`?sampleId=${sample.id}`);
        return rows.every((m) => m.status === 'delivered') && rows;
      },
      10_000,
      'both messages delivered',
    );

    expect(delivered.map((m) => m.attempts)).toEqual([3, 3]);
    const keys = queued.map((m) => m.idempotencyKey);
    expect(new Set(keys).size).toBe(2);
    const ours = hook.requests.filter((r) => keys.includes(r.key));
    expect(ours).toHaveLength(6);
    expect(ours.every((r) => r.signatureValid)).toBe(true);
    for (const key of keys) {
      const got = hook.accepted.get(key);
      expect(got).toMatchObject({
        attempt: 3,
        body: { id: key, sampleId: sample.id, recipient: `creator:${creator.id}` },
      });
      // The contact is looked up at send time; the outbox row itself holds none.
      expect(got?.body.contact).toEqual({ email: 'ava@example.com' });
      expect(hook.requests.filter((r) => r.key === key).map((r) => r.attempt)).toEqual([1, 2, 3]);
    }
    expect(JSON.stringify(queued)).not.toContain('ava@example.com');
  });

  it('gives a message up after OUTBOX_MAX_ATTEMPTS (failed, visible); ops can queue it again', async () => {
    hook.refuse.add('test_refused');
    await new OutboxRepository(p.pool).enqueue({
      idempotencyKey: 'test:refused:1',
      kind: 'test_refused',
      recipient: 'ops',
      sampleId: null,
      payload: {},
      at: new Date(),
    });
    const [failed] = await waitFor(
      async () => {
        const rows = await outbox('?status=failed');
        return rows.some((m) => m.idempotencyKey === 'test:refused:1') && rows;
      },
      10_000,
      'the message given up',
    );
    expect(failed).toMatchObject({ attempts: 3, lastError: 'receiver answered 503' });
    expect(hook.requests.filter((r) => r.key === 'test:refused:1')).toHaveLength(3);

    expect((await p.api(`/api/outbox/${failed!.id}/retry`, { method: 'POST', as: 'viewer' })).status).toBe(403);
    hook.refuse.delete('test_refused');
    const retried = await p.api<Message>(`/api/outbox/${failed!.id}/retry`, { method: 'POST' });
    expect(retried.body).toMatchObject({ status: 'pending', attempts: 0 });
    // A second retry of a message no longer failed is a conflict, not a double send.
    expect(
      (await p.api<{ error: { code: string } }>(`/api/outbox/${failed!.id}/retry`, { method: 'POST' })).body.error.code,
    ).toBe('CONFLICT');
    await waitFor(() => hook.accepted.get('test:refused:1'), 10_000, 'the retried message accepted');
    expect((await p.api<{ error: { code: string } }>('/api/outbox/999999/retry', { method: 'POST' })).status).toBe(404);
  });

  it('a message claimed by a deliverer that died mid-send is delivered once its lease runs out', async () => {
    // Enqueue and claim in one transaction, as a deliverer would that then crashed: the running one never sees it unleased.
    await withTransaction(p.pool, async (tx) => {
      const repo = new OutboxRepository(tx);
      await repo.enqueue({
        idempotencyKey: 'test:crashed:1',
        kind: 'test_crashed',
        recipient: 'ops',
        sampleId: null,
        payload: { n: 1 },
        at: new Date(),
      });
      const claimed = await repo.claimDue(new Date(), 500, 50);
      expect(claimed.map((m) => m.idempotencyKey)).toContain('test:crashed:1');
    });
    await new Promise((r) => setTimeout(r, 250));
    expect(hook.requests.filter((r) => r.key === 'test:crashed:1')).toEqual([]);
    await waitFor(() => hook.accepted.get('test:crashed:1'), 10_000, 'the crashed message delivered');
    // The crashed claim was no attempt: the receiver's two refusals, then the third is accepted.
    expect(hook.requests.filter((r) => r.key === 'test:crashed:1').map((r) => r.attempt)).toEqual([1, 2, 3]);
  });
});
