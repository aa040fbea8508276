import { z } from 'zod';
import type { PackService } from '../../../evidence/packs/pack-service.ts';
import type { PublicKeyEntry } from '../../../evidence/ledger/keys.ts';
import { PackRefusedError } from '../../../evidence/packs/pack-writer.ts';
import { InputError, RefusedError } from '../../kernel/errors.ts';
import { actor, defineRoute, type RouteDef } from '../route.ts';
import { periodProblem } from '../../../evidence/packs/build-pack.ts';

const DAY = 86_400_000;

const packId = z.object({ id: z.uuid() });

const progressSchema = z
  .object({ phase: z.string(), done: z.number(), total: z.number().nullable() })
  .nullable()
  .meta({ description: 'Where a build running on this replica is; null when it is not building (here).' });

const packSchema = z
  .object({
    id: z.string(),
    profile: z.string(),
    periodFrom: z.string(),
    periodTo: z.string(),
    createdAt: z.string(),
    createdBy: z.string(),
    status: z.string().meta({ description: 'building, ready, refused or failed' }),
    error: z.string().nullable(),
    size: z.number().nullable(),
    sha256: z.string().nullable(),
    internal: z
      .boolean()
      .meta({ description: 'the internal edition (remediation notes: not for a reviewer), as its signed manifest says; false until it is ready' }),
  })
  .meta({ id: 'Pack' });

const publicKeysSchema = z.object({
  current: z.string().meta({ description: 'key id of the key new packs and checkpoints are signed with' }),
  keys: z.array(
    z.object({
      keyId: z.string(),
      algorithm: z.enum(['Ed25519', 'ECDSA_P256_SHA256']),
      publicKeyPem: z.string(),
      status: z.enum(['current', 'retired']),
      retiredAt: z.string().optional(),
    }),
  ),
});

export function packRoutes(deps: { packs: PackService; publicKey: () => Promise<string>; publicKeys?: () => Promise<PublicKeyEntry[]> }): RouteDef[] {
  const { packs } = deps;
  const routes: RouteDef[] = [
    defineRoute({
      method: 'get',
      path: '/v1/packs/public-key',
      summary:
        'The public key new packs are signed with (PEM; Ed25519, or ECDSA P-256 with a KMS key): give it to `tenet verify --public-key`. Older keys: GET /v1/packs/public-keys.',
      tag: 'Packs',
      gate: 'public',
      raw: true,
      produces: 'application/x-pem-file',
      handler: async ({ res }) => {
        res.type('application/x-pem-file').send(await deps.publicKey());
      },
    }),
    // Before /v1/packs/:id, which would otherwise take the path (and ask for a key).
    ...(deps.publicKeys
      ? [
          defineRoute({
            method: 'get',
            path: '/v1/packs/public-keys',
            summary:
              'Every public key packs and evidence checkpoints were signed with: the current one and those retired by a rotation, each with its key id (manifest.json `signingKeyId`). ' +
              'Save the answer to a file and give it to `tenet verify --public-key`: the key the pack names is picked from it.',
            tag: 'Packs',
            gate: 'public',
            response: publicKeysSchema,
            handler: async () => {
              const keys = await deps.publicKeys!();
              return {
                current: keys.find((k) => k.status === 'current')!.keyId,
                keys: keys.map((k) => ({
                  keyId: k.keyId,
                  algorithm: k.algorithm,
                  publicKeyPem: k.publicKeyPem,
                  status: k.status,
                  ...(k.retiredAt ? { retiredAt: k.retiredAt } : {}),
                })),
              };
            },
          }),
        ]
      : []),
    defineRoute({
      method: 'post',
      path: '/v1/packs',
      summary:
        'Builds a review pack (sp-api or google) for a period (default: the 90 days before `to`, `to` default now). A pack that would hold raw PII is refused (422). ' +
        'With `wait: false` the answer is 202 with the pack id at once; follow the build with GET /v1/packs/{id}.',
      tag: 'Packs',
      gate: { area: 'packs', action: 'build' },
      body: z
        .object({
          profile: z.enum(['sp-api', 'google']),
          from: z.iso.datetime({ offset: true }).optional(),
          to: z.iso.datetime({ offset: true }).optional(),
          wait: z.boolean().default(true).meta({ description: 'false: answer 202 at once, the build goes on in the background' }),
          internal: z.boolean().default(false).meta({
            description: 'true: the internal edition, with an appendix of remediation notes (not for a reviewer); default the reviewer\u2019s edition',
          }),
        })
        .strict(),
      statuses: { 201: 'built', 202: 'building (wait: false)', 422: 'refused: the pack would hold raw PII' },
      response: z.union([packSchema, z.object({ id: z.string(), status: z.literal('building') })]).meta({
        description: '201: the pack; 202 (wait: false): its id, building',
      }),
      handler: async ({ body, key, res }) => {
        const to = body.to ? new Date(body.to) : new Date();
        const from = body.from ? new Date(body.from) : new Date(to.getTime() - 90 * DAY);
        const problem = periodProblem(from, to);
        if (problem) throw new InputError(problem);
        if (!body.wait) {
          const { id } = await packs.startInBackground({ profile: body.profile, from, to, internal: body.internal, createdBy: actor(key) });
          res.status(202);
          return { id, status: 'building' as const };
        }
        try {
          const pack = await packs.build({ profile: body.profile, from, to, internal: body.internal, createdBy: actor(key) });
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
      response: z.object({ packs: z.array(packSchema) }),
      handler: async () => ({ packs: await packs.list() }),
    }),
    defineRoute({
      method: 'get',
      path: '/v1/packs/:id',
      summary: 'One pack, with `progress` (phase, done, total) while it is building on this replica.',
      tag: 'Packs',
      gate: { area: 'packs', action: 'read' },
      params: packId,
      statuses: { 404: 'no such pack' },
      response: packSchema.extend({ progress: progressSchema }),
      handler: async ({ params }) => {
        const pack = await packs.get(params.id);
        return { ...pack, progress: pack.status === 'building' ? packs.progressOf(params.id) : null };
      },
    }),
    defineRoute({
      method: 'get',
      path: '/v1/packs/:id/download',
      summary: 'The pack ZIP.',
      tag: 'Packs',
      gate: { area: 'packs', action: 'read' },
      params: packId,
      raw: true,
      produces: 'application/zip',
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
  return routes;
}
