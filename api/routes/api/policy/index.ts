import type { FastifyInstance } from 'fastify';
import { z } from 'zod';
import { ADMIN, WORKERS } from '../../../../core/domain/auth/roles.ts';
import { ProgramPolicyPatchSchema, ProgramPolicySchema } from '../../../../core/domain/sample/program-policy.ts';
import { auditActor } from '../../../plugins/auth.ts';
import { route } from '../../../http/route.ts';
import type { ApiDeps } from '../../../app.ts';

const PolicySchema = ProgramPolicySchema.extend({
  version: z.number().int().nonnegative().describe('Counts saved changes; 0: the code defaults, never edited'),
  updatedAt: z.string().nullable(),
  updatedBy: z.string().nullable().describe('Email of whoever saved this version'),
});

/**
 * The program's policy (docs/sample-program.md, Policy settings). Reading it is for the
 * people who act on its decisions: ops see why a request was held, fulfilment why a
 * reship waits for them. Changing it is an admin's (issue 6) and is audited.
 */
export default function policyRoutes(app: FastifyInstance, { services, routes }: ApiDeps): void {
  route(app, routes, {
    method: 'GET',
    url: '/api/policy',
    tags: ['policy'],
    access: WORKERS,
    summary: 'The approval and follow-up policy in force, with its version',
    responses: { 200: PolicySchema },
    handler: () => services.policy.current(),
  });

  route(app, routes, {
    method: 'PATCH',
    url: '/api/policy',
    tags: ['policy'],
    access: ADMIN,
    summary:
      'Change some policy fields; applies to the next decision. With expectedVersion, a policy changed since is refused (409)',
    body: ProgramPolicyPatchSchema.extend({
      expectedVersion: z
        .number()
        .int()
        .nonnegative()
        .optional()
        .describe('The version the change was made over (GET /api/policy)'),
    }).refine((b) => Object.keys(b.approval ?? {}).length + Object.keys(b.followUp ?? {}).length > 0, {
      message: 'nothing to change',
    }),
    responses: { 200: PolicySchema },
    errors: ['CONFLICT'],
    handler: ({ body, req }) => {
      const { expectedVersion, ...patch } = body;
      return services.policy.update(patch, auditActor(req), expectedVersion);
    },
  });
}
