import { readFile } from 'node:fs/promises';
import { z } from 'zod';
import { parse } from './args.ts';
import type { Config } from '../../kernel/config.ts';
import { createAuthz } from '../../authz/create-authz.ts';
import { entitySchema, type Entity } from '../../authz/entity.ts';
import { openDatabase } from '../../db/database.ts';
import { createLogger } from '../../kernel/logger.ts';
import { SHIPPED_POLICY_DIR } from '../../kernel/version.ts';

function uid(flag: string, value: string | undefined) {
  const at = value?.lastIndexOf('::') ?? -1;
  if (!value || at <= 0) throw new Error(`--${flag} must look like Type::id (e.g. User::asha)`);
  return { type: value.slice(0, at), id: value.slice(at + 2).replace(/^"(.*)"$/, '$1') };
}

/** One decision from the command line, with the active policy set and the stored entities. Not logged. */
export async function authorize(args: string[], ctx: { config: () => Config }): Promise<number> {
  const { values } = parse(args, {
    principal: { type: 'string' },
    action: { type: 'string' },
    resource: { type: 'string' },
    context: { type: 'string' },
    entities: { type: 'string' },
  });
  if (!values.action) throw new Error('--action is required');
  const principal = uid('principal', values.principal);
  const resource = uid('resource', values.resource);
  let context: Record<string, unknown> | undefined;
  if (values.context) {
    try {
      context = z.record(z.string(), z.unknown()).parse(JSON.parse(values.context));
    } catch {
      throw new Error('--context must be a JSON object');
    }
  }
  const entities: Entity[] | undefined = values.entities
    ? (z.array(entitySchema).parse(JSON.parse(await readFile(values.entities, 'utf8'))) as Entity[])
    : undefined;
  const config = ctx.config();
  const logger = createLogger({ level: 'warn', format: config.LOG_FORMAT });
  const h = await openDatabase({ databaseUrl: config.DATABASE_URL, dataDir: config.TENET_DATA_DIR });
  try {
    const authz = await createAuthz({ db: h.db, logger, config, policyDir: config.TENET_POLICY_DIR ?? SHIPPED_POLICY_DIR });
    const d = authz.platform.authorize({ principal, action: { id: values.action }, resource, context, entities });
    console.log(JSON.stringify({ decision: d.decision, reasons: d.reasons, errors: d.errors, policyHash: d.policyHash }, null, 2));
    await authz.close();
    return d.decision === 'allow' ? 0 : 1;
  } finally {
    await h.close();
  }
}
