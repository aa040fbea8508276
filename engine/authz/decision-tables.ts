import { readdir, readFile } from 'node:fs/promises';
import path from 'node:path';
import * as cedar from './cedar-runtime.ts';
import { z } from 'zod';
import { entitySchema, entityUidSchema, uidKey, type Entity, type EntityUid } from './entity.ts';
import type { TableFailure } from './policy-store.ts';

/**
 * Decision tables: `policies/cases/*.json`, request → expected decision, run against every policy version
 * before it may go live (and by `tenet policy test`). Format in policies/README.md.
 */
const caseSchema = z
  .object({
    name: z.string().min(1),
    principal: entityUidSchema,
    action: z.string().min(1),
    resource: entityUidSchema,
    context: z.record(z.string(), z.unknown()).default({}),
    entities: z.array(entitySchema).default([]),
    decision: z.enum(['allow', 'deny']),
    reasons: z.array(z.string()).optional(),
  })
  .strict();

const tableSchema = z
  .object({
    policySet: z.enum(['platform', 'tenet']),
    description: z.string().optional(),
    entities: z.array(entitySchema).default([]),
    cases: z.array(caseSchema).min(1),
  })
  .strict();

export interface DecisionTable extends z.infer<typeof tableSchema> {
  file: string;
}

export class DecisionTableError extends Error {}

export async function loadDecisionTables(props: { dir: string }): Promise<DecisionTable[]> {
  const files = (await readdir(props.dir)).filter((f) => f.endsWith('.json')).sort();
  const tables: DecisionTable[] = [];
  for (const file of files) {
    let json: unknown;
    try {
      json = JSON.parse(await readFile(path.join(props.dir, file), 'utf8'));
    } catch (error) {
      throw new DecisionTableError(`${file}: not valid JSON (${(error as Error).message})`);
    }
    const parsed = tableSchema.safeParse(json);
    if (!parsed.success) {
      const issue = parsed.error.issues[0];
      throw new DecisionTableError(`${file}: ${issue.path.join('.') || '(root)'}: ${issue.message}`);
    }
    tables.push({ ...parsed.data, file } as DecisionTable);
  }
  return tables;
}

interface TableRequest {
  principal: EntityUid;
  action: string;
  resource: EntityUid;
  context: Record<string, unknown>;
  /** The table's entities with the case's entities overriding those with the same uid. */
  entities: Entity[];
}

export type TableAuthorize = (req: TableRequest) => { decision: 'allow' | 'deny'; reasons: string[]; errors: string[] };

/** Cedar's own evaluation (policies by @id, the schema, every entity): the reference the PDP is held to. */
export function referenceAuthorize(props: { policies: Record<string, string>; schema: string; actionType: string }): TableAuthorize {
  return (req) => {
    const answer = cedar.isAuthorized({
      principal: req.principal,
      action: { type: props.actionType, id: req.action },
      resource: req.resource,
      context: req.context as cedar.Context,
      policies: { staticPolicies: props.policies },
      schema: props.schema,
      validateRequest: true,
      entities: req.entities as cedar.Entities,
    });
    if (answer.type === 'failure') return { decision: 'deny', reasons: [], errors: answer.errors.map((e) => e.message) };
    return {
      decision: answer.response.decision,
      reasons: answer.response.diagnostics.reason,
      errors: answer.response.diagnostics.errors.map((e) => e.error.message),
    };
  };
}

export function runDecisionTables(props: { tables: DecisionTable[]; policySet: 'platform' | 'tenet'; authorize: TableAuthorize }): {
  passed: number;
  failed: TableFailure[];
} {
  let passed = 0;
  const failed: TableFailure[] = [];
  for (const table of props.tables.filter((t) => t.policySet === props.policySet)) {
    for (const c of table.cases) {
      const merged = new Map<string, Entity>();
      for (const e of [...table.entities, ...c.entities] as Entity[]) merged.set(uidKey(e.uid), e);
      const answer = props.authorize({ principal: c.principal, action: c.action, resource: c.resource, context: c.context, entities: [...merged.values()] });
      const missingReasons = (c.reasons ?? []).filter((r) => !answer.reasons.includes(r));
      if (answer.decision === c.decision && missingReasons.length === 0) passed++;
      else {
        failed.push({
          file: table.file,
          name: c.name,
          expected: c.decision + (c.reasons?.length ? ` by ${c.reasons.join(', ')}` : ''),
          actual: answer.decision,
          reasons: answer.reasons,
          errors: answer.errors,
        });
      }
    }
  }
  return { passed, failed };
}
