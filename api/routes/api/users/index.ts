import type { FastifyInstance } from 'fastify';
import { z } from 'zod';
import { ADMIN } from '../../../../core/domain/auth/roles.ts';
import { auditActor } from '../../../plugins/auth.ts';
import { route } from '../../../http/route.ts';
import { ApprovalLimitSchema, PasswordSchema, PersonRoleSchema, UserSchema } from '../../../http/auth-schemas.ts';
import type { ApiDeps } from '../../../app.ts';

const Id = z.object({ id: z.coerce.number().int().positive() });
const Name = z.string().trim().min(1).max(200);

export default function userRoutes(app: FastifyInstance, { services, routes }: ApiDeps): void {
  route(app, routes, {
    method: 'POST',
    url: '/api/users',
    tags: ['users'],
    access: ADMIN,
    summary: 'Add a person with a role and an initial password',
    body: z
      .object({
        email: z.email().max(320),
        name: Name,
        role: PersonRoleSchema,
        password: PasswordSchema,
        approvalLimitCents: ApprovalLimitSchema.optional(),
      })
      .strict(),
    responses: { 201: UserSchema },
    errors: ['ALREADY_EXISTS'],
    handler: async ({ body, req, reply }) => reply.status(201).send(await services.users.create(body, auditActor(req))),
  });

  route(app, routes, {
    method: 'GET',
    url: '/api/users',
    tags: ['users'],
    access: ADMIN,
    summary: 'Every user',
    responses: { 200: z.object({ users: z.array(UserSchema) }) },
    handler: async () => ({ users: await services.users.list() }),
  });

  route(app, routes, {
    method: 'GET',
    url: '/api/users/:id',
    tags: ['users'],
    access: ADMIN,
    summary: 'One user',
    params: Id,
    responses: { 200: UserSchema },
    errors: ['NOT_FOUND'],
    handler: ({ params }) => services.users.get(params.id),
  });

  route(app, routes, {
    method: 'PATCH',
    url: '/api/users/:id',
    tags: ['users'],
    access: ADMIN,
    summary:
      "Change name, role, approval limit or password, or disable/enable; a new password or disabling ends the user's sessions",
    params: Id,
    body: z
      .object({
        name: Name.optional(),
        role: PersonRoleSchema.optional(),
        password: PasswordSchema.optional(),
        disabled: z.boolean().optional(),
        approvalLimitCents: ApprovalLimitSchema.optional(),
      })
      .strict()
      .refine((p) => Object.keys(p).length > 0, { message: 'nothing to change' }),
    responses: { 200: UserSchema },
    errors: ['NOT_FOUND', 'CONFLICT'],
    handler: ({ params, body, req }) => services.users.update(params.id, body, auditActor(req)),
  });

  route(app, routes, {
    method: 'DELETE',
    url: '/api/users/:id',
    tags: ['users'],
    access: ADMIN,
    summary: 'Disable a user (kept, so the audit log still names them); their sessions end and tokens stop working',
    params: Id,
    responses: { 200: UserSchema },
    errors: ['NOT_FOUND', 'CONFLICT'],
    handler: ({ params, req }) => services.users.update(params.id, { disabled: true }, auditActor(req)),
  });
}
