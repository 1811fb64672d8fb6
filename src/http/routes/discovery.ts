// The well-known documents: discovery metadata and the JWKS.
import type { FastifyInstance } from 'fastify';
import type { Services } from '../../services.js';
import { authorizationServerMetadata, openIdConfiguration } from '../../oauth/discovery.js';

export async function discoveryRoutes(app: FastifyInstance, { services }: { services: Services }): Promise<void> {
  const { config } = services;
  const oauthMetadata = JSON.stringify(authorizationServerMetadata(config));
  const oidcMetadata = JSON.stringify(openIdConfiguration(config));
  const json = 'application/json; charset=utf-8';
  app.get('/.well-known/oauth-authorization-server', async (_request, reply) =>
    reply.type(json).header('Cache-Control', 'public, max-age=300').send(oauthMetadata));
  app.get('/.well-known/openid-configuration', async (_request, reply) =>
    reply.type(json).header('Cache-Control', 'public, max-age=300').send(oidcMetadata));
  app.get('/.well-known/jwks.json', async (_request, reply) =>
    reply.type(json).header('Cache-Control', `public, max-age=${services.keys.refreshSeconds}`).send(await services.keys.jwks()));
}
