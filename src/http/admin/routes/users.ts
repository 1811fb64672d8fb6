// /admin/users: create, list and delete users, and set their passwords.
import type { FastifyPluginAsync } from 'fastify';
import type { Services } from '../../../services.js';
import { DuplicateError } from '../../../store/errors.js';
import { conflict, notFound } from '../errors.js';
import { userView } from '../views.js';
import { idParams } from './schemas.js';

interface CreateUserBody {
  username: string;
  password: string;
  name?: string;
  email?: string;
}

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
  const requireUser = async (username: string) => {
    const user = await services.store.getUserByUsername(username);
    if (!user) throw notFound(`no user named "${username}"`);
    return user;
  };

  app.post<{ Body: CreateUserBody }>('/', { schema: { body: createBody } }, async (request, reply) => {
    const user = await services.accounts.createUser(request.body).catch((error: unknown) => {
      throw error instanceof DuplicateError ? conflict(`a user named "${request.body.username}" already exists`) : error;
    });
    return reply.code(201).header('Location', `/admin/users/${encodeURIComponent(user.username)}`).send(userView(user));
  });

  app.get('/', async () => ({ users: (await services.store.listUsers()).map(userView) }));

  app.delete<{ Params: { username: string } }>('/:username', { schema: { params: idParams('username') } }, async (request, reply) => {
    const user = await requireUser(request.params.username);
    await services.store.deleteUser(user.id, services.now());
    return reply.code(204).send();
  });

  app.put<{ Params: { username: string }; Body: { password: string } }>(
    '/:username/password',
    { schema: { params: idParams('username'), body: passwordBody } },
    async (request, reply) => {
      await requireUser(request.params.username);
      await services.accounts.setPassword(request.params.username, request.body.password);
      return reply.code(204).send();
    },
  );
};
