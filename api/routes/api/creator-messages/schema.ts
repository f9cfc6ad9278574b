import type { FastifyRequest } from 'fastify';
import { z } from 'zod';
import { seesCreatorPii } from '../../../../core/domain/auth/roles.ts';
import type { CreatorMessageRow } from '../../../../core/storage/repositories/creator-message.repository.ts';
import { principalOf } from '../../../plugins/auth.ts';

export const CreatorMessage = z
  .object({
    id: z.number().int(),
    key: z.string().describe('The follow-up that rendered it'),
    sampleId: z.string(),
    creatorId: z.string().nullable(),
    action: z.string().describe('e.g. send_brief, send_posting_reminder'),
    channel: z.enum(['email', 'dm']).describe('email: sent over SMTP; dm: copied and sent by a person'),
    recipient: z.string().nullable().describe("The email address or DM handle; null for roles that don't see contacts"),
    subject: z.string(),
    body: z.string().describe('The rendered plain text, with the creator link'),
    status: z.enum(['queued', 'sent', 'failed', 'bounced']),
    attempts: z.number().int(),
    nextAttemptAt: z.string(),
    lastError: z.string().nullable().describe("The SMTP server's reply of the last failed attempt"),
    providerId: z.string().nullable().describe('The Message-ID of a sent email'),
    createdAt: z.string(),
    sentAt: z.string().nullable(),
    sentBy: z.string().nullable().describe('Who sent a DM (their email); null for email'),
  })
  .meta({ id: 'CreatorMessage' });

/** A message as this caller may see it: the recipient is a contact (PII). */
export function forCaller(req: FastifyRequest, rows: CreatorMessageRow[]) {
  const pii = seesCreatorPii(principalOf(req).role);
  return rows.map(({ linkId: _linkId, ...m }) => ({ ...m, recipient: pii ? m.recipient : null }));
}
