import { z } from 'zod';
import { DEFAULT_PERIOD_DAYS, periodProblem } from '../../../evidence/programmes/period.ts';
import { PROGRAMME_IDS, REQUIREMENT_STATUSES } from '../../../evidence/programmes/programme.ts';
import { programmeById, PROGRAMMES } from '../../../evidence/programmes/index.ts';
import type { Scorecard, scorecards } from '../../../evidence/programmes/scorecard.ts';
import { InputError } from '../../kernel/errors.ts';
import { defineRoute, type RouteDef } from '../route.ts';

const DAY = 86_400_000;

const status = z.enum(REQUIREMENT_STATUSES);
const controlStatus = z.enum(['pass', 'fail', 'error', 'not_applicable', 'stale', 'never_run']);
const severity = z.enum(['critical', 'high', 'medium', 'low']);

const summarySchema = z
  .object({ total: z.number(), met: z.number(), met_by_exception: z.number(), partial: z.number(), not_met: z.number(), not_assessed: z.number() })
  .meta({ description: 'requirements per status' });

const programmeInfo = z.object({
  id: z.enum(PROGRAMME_IDS),
  title: z.string(),
  source: z.string().meta({ description: 'the document the requirements come from' }),
});

const periodSchema = z.object({ from: z.string(), to: z.string() });

const scorecardSchema = z
  .object({
    programme: programmeInfo,
    period: periodSchema,
    summary: summarySchema,
    requirements: z.array(
      z.object({
        id: z.string().meta({ description: "in the source's own numbering: 1.2 (DPP), V14.5.3 (ASVS 4.0.3), 28.7 (Addendum)" }),
        ref: z.string().meta({ description: 'framework reference <programme id>:<requirement id>, as controls list them' }),
        title: z.string(),
        source: z.string(),
        question: z.string(),
        status,
        answer: z.string(),
        gap: z.string().optional().meta({ description: 'stated plainly when the platform does not (or cannot be shown to) meet it' }),
        controls: z.array(
          z.object({
            controlId: z.string(),
            title: z.string(),
            status: z.enum([...controlStatus.options, 'unknown_control']),
            exception: z.object({ id: z.string(), approvedBy: z.string(), reason: z.string(), expiresAt: z.string() }).optional(),
          }),
        ),
        attestations: z.array(z.object({ documentId: z.string(), inForce: z.boolean() })),
      }),
    ),
    fixNext: z
      .array(
        z.object({
          controlId: z.string(),
          title: z.string(),
          severity,
          status: controlStatus,
          why: z.enum(['failing', 'not_assessed']),
          remediation: z.string(),
          requirements: z.array(z.string()).meta({ description: 'the requirements (refs) it keeps from being met' }),
        }),
      )
      .meta({ description: 'failing or unassessed controls behind requirements not met, worst severity first' }),
  })
  .meta({ id: 'ProgrammeScorecard' });

const periodQuery = z.object({
  from: z.iso
    .datetime({ offset: true })
    .optional()
    .meta({ description: `default: ${DEFAULT_PERIOD_DAYS} days before \`to\`` }),
  to: z.iso.datetime({ offset: true }).optional().meta({ description: 'default: now' }),
});

function period(query: z.infer<typeof periodQuery>): { from: Date; to: Date } {
  const to = query.to ? new Date(query.to) : new Date();
  const from = query.from ? new Date(query.from) : new Date(to.getTime() - DEFAULT_PERIOD_DAYS * DAY);
  const problem = periodProblem(from, to);
  if (problem) throw new InputError(problem);
  return { from, to };
}

/** Compliance programmes and their scorecards: the same answers the review packs carry, requirement by requirement. */
export function programmeRoutes(deps: { scorecards: (props: Parameters<typeof scorecards>[1]) => Promise<Scorecard[]> }): RouteDef[] {
  return [
    defineRoute({
      method: 'get',
      path: '/v1/programmes',
      summary: `Each compliance programme (Amazon SP-API DPP, Google Limited Use and CASA, the security Addendum) with its requirements counted per status over the period (default the last ${DEFAULT_PERIOD_DAYS} days).`,
      tag: 'Programmes',
      gate: { area: 'controls', action: 'read' },
      query: periodQuery,
      statuses: { 400: 'a period that ends in the future, is empty or has a bad date' },
      response: z.object({
        period: periodSchema,
        programmes: z.array(programmeInfo.extend({ summary: summarySchema, fixNext: z.number().meta({ description: 'controls on its list to fix' }) })),
      }),
      handler: async ({ query }) => {
        const p = period(query);
        const cards = await deps.scorecards({ ...p, programmes: PROGRAMMES });
        return {
          period: { from: p.from.toISOString(), to: p.to.toISOString() },
          programmes: cards.map((c) => ({ ...c.programme, summary: c.summary, fixNext: c.fixNext.length })),
        };
      },
    }),
    defineRoute({
      method: 'get',
      path: '/v1/programmes/:id',
      summary:
        "One programme's scorecard as of the period's end: each requirement's status (met, met by exception, partial, not met, not assessed) and answer, and what to fix next.",
      tag: 'Programmes',
      gate: { area: 'controls', action: 'read' },
      params: z.object({ id: z.string().min(1).max(100) }),
      query: periodQuery,
      statuses: { 400: 'a period that ends in the future, is empty or has a bad date', 404: 'no such programme' },
      response: scorecardSchema,
      handler: async ({ params, query }) => {
        const programme = programmeById(params.id);
        const [card] = await deps.scorecards({ ...period(query), programmes: [programme] });
        return card;
      },
    }),
  ];
}
