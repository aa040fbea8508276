import { z } from 'zod';
import type { PackService } from '../../../evidence/packs/pack-service.ts';
import { PackRefusedError } from '../../../evidence/packs/pack-writer.ts';
import { InputError, RefusedError } from '../../errors.ts';
import { actor, defineRoute, type RouteDef } from '../route.ts';

const DAY = 86_400_000;

export function packRoutes(deps: { packs: PackService; publicKey: () => Promise<string> }): RouteDef[] {
  const { packs } = deps;
  return [
    defineRoute({
      method: 'get',
      path: '/v1/packs/public-key',
      summary: 'The Ed25519 public key packs are signed with (PEM): give it to `tenet verify --public-key`.',
      tag: 'Packs',
      gate: 'public',
      raw: true,
      handler: async ({ res }) => {
        res.type('application/x-pem-file').send(await deps.publicKey());
      },
    }),
    defineRoute({
      method: 'post',
      path: '/v1/packs',
      summary: 'Builds a review pack (sp-api or google) for a period (default: the 90 days before `to`, `to` default now). A pack that would hold raw PII is refused (422).',
      tag: 'Packs',
      gate: { area: 'packs', action: 'build' },
      body: z
        .object({
          profile: z.enum(['sp-api', 'google']),
          from: z.iso.datetime({ offset: true }).optional(),
          to: z.iso.datetime({ offset: true }).optional(),
        })
        .strict(),
      statuses: { 201: 'built', 422: 'refused: the pack would hold raw PII' },
      handler: async ({ body, key, res }) => {
        const to = body.to ? new Date(body.to) : new Date();
        const from = body.from ? new Date(body.from) : new Date(to.getTime() - 90 * DAY);
        if (!(from < to)) throw new InputError('from: must be before to');
        try {
          const pack = await packs.build({ profile: body.profile, from, to, createdBy: actor(key) });
          res.status(201);
          return pack;
        } catch (error) {
          throw error instanceof PackRefusedError ? new RefusedError(error.message) : error;
        }
      },
    }),
    defineRoute({
      method: 'get',
      path: '/v1/packs',
      summary: 'Packs built, newest first: profile, period, who built it, status (ready / refused with the reason).',
      tag: 'Packs',
      gate: { area: 'packs', action: 'read' },
      handler: async () => ({ packs: await packs.list() }),
    }),
    defineRoute({
      method: 'get',
      path: '/v1/packs/:id/download',
      summary: 'The pack ZIP.',
      tag: 'Packs',
      gate: { area: 'packs', action: 'read' },
      params: z.object({ id: z.uuid() }),
      raw: true,
      statuses: { 404: 'no such pack, or nothing to download' },
      handler: async ({ params, res }) => {
        const f = await packs.open(params.id);
        res.setHeader('content-type', 'application/zip');
        res.setHeader('content-length', String(f.size));
        res.setHeader('content-disposition', `attachment; filename="${f.name}"`);
        await new Promise<void>((resolve, reject) => {
          f.stream.on('error', reject);
          res.on('finish', resolve).on('close', resolve);
          f.stream.pipe(res);
        });
      },
    }),
  ];
}
