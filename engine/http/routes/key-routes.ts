import { z } from 'zod';
import { TENET_ROLES, type ApiKeyStore } from '../../authz/api-keys.ts';
import { defineRoute, type RouteDef } from '../route.ts';

const keyInfo = z.object({
  id: z.string(),
  name: z.string(),
  role: z.enum(TENET_ROLES),
  prefix: z.string(),
  createdAt: z.date(),
  createdBy: z.string().nullable(),
  revokedAt: z.date().nullable(),
  lastUsedAt: z.date().nullable(),
});

/** A key as answered: keyInfo with its dates as JSON has them. */
const keyInfoAnswer = keyInfo.extend({ createdAt: z.string(), revokedAt: z.string().nullable(), lastUsedAt: z.string().nullable() }).meta({ id: 'ApiKeyInfo' });

export function keyRoutes(deps: { apiKeys: ApiKeyStore }): RouteDef[] {
  const { apiKeys } = deps;
  return [
    defineRoute({
      method: 'get',
      path: '/v1/api-keys',
      summary: 'API keys (never the keys themselves: only their prefixes).',
      tag: 'API keys',
      gate: { area: 'api_keys', action: 'read' },
      response: z.object({ keys: z.array(keyInfoAnswer) }),
      handler: async () => ({ keys: (await apiKeys.list()).map((k) => keyInfo.parse(k)) }),
    }),
    defineRoute({
      method: 'post',
      path: '/v1/api-keys',
      summary: 'Creates a key bound to a role. The key is in this answer only; store it now.',
      tag: 'API keys',
      gate: { area: 'api_keys', action: 'write' },
      body: z.object({ name: z.string().min(1).max(200), role: z.enum(TENET_ROLES) }),
      statuses: { 201: 'Created' },
      response: z.object({ key: z.string().meta({ description: 'the key itself: shown in this answer only' }), info: keyInfoAnswer }),
      handler: async ({ body, key, res }) => {
        const made = await apiKeys.create({ name: body.name, role: body.role, createdBy: key.id });
        res.status(201);
        return { key: made.key, info: keyInfo.parse(made.info) };
      },
    }),
    defineRoute({
      method: 'delete',
      path: '/v1/api-keys/:id',
      summary: 'Revokes a key (other replicas stop accepting it within seconds).',
      tag: 'API keys',
      gate: { area: 'api_keys', action: 'write' },
      params: z.object({ id: z.string().min(1).max(100) }),
      response: z.object({ revoked: keyInfoAnswer }),
      handler: async ({ params }) => ({ revoked: keyInfo.parse(await apiKeys.revoke(params.id)) }),
    }),
  ];
}
