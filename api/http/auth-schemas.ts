import { z } from 'zod';
import { PERSON_ROLES, ROLES } from '../../core/domain/auth/roles.ts';

/** Schemas of sign-in, users, tokens and the audit log. */

export const PersonRoleSchema = z.enum(PERSON_ROLES);
export const RoleSchema = z.enum(ROLES);

export const MeSchema = z
  .object({
    id: z.number().int(),
    email: z.string(),
    name: z.string(),
    role: RoleSchema.describe("The role in force: the user's, or the token's scope"),
    via: z.enum(['session', 'token']),
    tokenId: z.number().int().optional(),
  })
  .meta({ id: 'Me' });

export const UserSchema = z
  .object({
    id: z.number().int(),
    email: z.string(),
    name: z.string(),
    role: PersonRoleSchema,
    approvalLimitCents: z
      .number()
      .int()
      .nullable()
      .describe(
        "What this person may approve, in product cost of one send; null: the policy's default. Admins have no limit",
      ),
    createdAt: z.string(),
    updatedAt: z.string(),
    disabledAt: z.string().nullable(),
  })
  .meta({ id: 'User' });

export const ApprovalLimitSchema = z
  .number()
  .int()
  .nonnegative()
  .max(10 ** 12)
  .nullable()
  .describe("Cents of product cost this person may approve per send; null: the policy's default");

export const ApiTokenSchema = z
  .object({
    id: z.number().int(),
    userId: z.number().int(),
    userEmail: z.string(),
    name: z.string(),
    role: RoleSchema,
    createdAt: z.string(),
    expiresAt: z.string().nullable(),
    lastUsedAt: z.string().nullable(),
    revokedAt: z.string().nullable(),
  })
  .meta({ id: 'ApiToken' });

export const AuditEntrySchema = z
  .object({
    id: z.number().int(),
    at: z.string(),
    actor: z.string().describe('user:<id>, token:<id> or system:<part>'),
    actorLabel: z.string(),
    action: z.string(),
    entityType: z.string(),
    entityId: z.string(),
    detail: z.record(z.string(), z.unknown()),
    ip: z.string().nullable(),
  })
  .meta({ id: 'AuditEntry' });

/** Passwords people choose: long enough to resist guessing behind scrypt and the rate limit. */
export const PasswordSchema = z.string().min(12, 'a password needs at least 12 characters').max(200);
