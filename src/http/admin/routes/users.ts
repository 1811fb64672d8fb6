// /admin/users: create, list and delete users, and set their passwords.
import type { FastifyPluginAsync } from 'fastify';
import { createUser, deleteUser, listUsers, setPassword, type NewUser } from '../../../admin/users.js';
import { userView } from '../../../admin/views.js';
import type { Services } from '../../../services.js';
import { idParams } from './schemas.js';

const createBody = {
  type: 'object',
  required: ['username', 'password'],
  additionalProperties: false,
  properties: {
    username: { type: 'string', minLength: 1, maxLength: 64 },
    password: { type: 'string', minLength: 1, maxLength: 1024 },
    name: { type: 'string', minLength: 1, maxLength: 200 },
    email: { type: 'string', minLength: 3, maxLength: 320 },
  },
} as const;

const passwordBody = {
  type: 'object',
  required: ['password'],
  additionalProperties: false,
  properties: { password: { type: 'string', minLength: 1, maxLength: 1024 } },
} as const;

export const userRoutes: FastifyPluginAsync<{ services: Services }> = async (app, { services }) => {
  app.post<{ Body: NewUser }>('/', { schema: { body: createBody } }, async (request, reply) => {
    const user = await createUser(services, request.body);
    return reply.code(201).header('Location', `/admin/users/${encodeURIComponent(user.username)}`).send(userView(user));
  });

  app.get('/', async () => ({ users: (await listUsers(services)).map(userView) }));

  app.delete<{ Params: { username: string } }>('/:username', { schema: { params: idParams('username') } }, async (request, reply) => {
    await deleteUser(services, request.params.username);
    return reply.code(204).send();
  });

  app.put<{ Params: { username: string }; Body: { password: string } }>(
    '/:username/password',
    { schema: { params: idParams('username'), body: passwordBody } },
    async (request, reply) => {
      await setPassword(services, request.params.username, request.body.password);
      return reply.code(204).send();
    },
  );
};
