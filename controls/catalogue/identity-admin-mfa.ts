import { z } from 'zod';
import { defineControl, NOT_APPLICABLE, type Finding } from '../define-control.ts';
import { finding, inventoryEvidence, label, production, verdict } from './inventory-evidence.ts';

const POOL = 'AWS::Cognito::UserPool';
/** The agency-admin actions §7/§28 say need MFA; the probe asks the PDP for each without MFA. */
const ADMIN_ACTIONS = ['manage_users', 'connect_integration', 'disconnect_integration'] as const;
/** The policy that must be the reason for the deny without MFA (forbid-administration-without-admin-mfa). */
const MFA_POLICY = /mfa/i;

const probeEntities = [
  { uid: { type: 'Agency', id: 'tenet:mfa-probe-agency' }, attrs: {}, parents: [] },
  { uid: { type: 'Role', id: 'agency_admin' }, attrs: {}, parents: [] },
  {
    uid: { type: 'Client', id: 'tenet:mfa-probe-client' },
    attrs: { agency: { __entity: { type: 'Agency', id: 'tenet:mfa-probe-agency' } }, integrations: [] },
    parents: [{ type: 'Agency', id: 'tenet:mfa-probe-agency' }],
  },
  {
    uid: { type: 'User', id: 'tenet:mfa-probe-admin' },
    attrs: { agency: { __entity: { type: 'Agency', id: 'tenet:mfa-probe-agency' } } },
    parents: [
      { type: 'Role', id: 'agency_admin' },
      { type: 'Agency', id: 'tenet:mfa-probe-agency' },
    ],
  },
];

const evidence = z.object({
  inventory: inventoryEvidence,
  /** Asked only when a production pool has MFA OPTIONAL: does the active policy set deny admin actions without MFA? */
  policyProbe: z
    .array(z.object({ action: z.string(), mfa: z.boolean(), decision: z.enum(['allow', 'deny']), reasons: z.array(z.string()), errors: z.array(z.string()) }))
    .nullable(),
});

export default defineControl({
  id: 'identity.admin-mfa',
  title: 'Admin and agency users must use MFA',
  commitment: 'Admin and agency MFA requirements configured (Addendum §28); reveal of buyer PII needs an MFA-authenticated action (§13.2).',
  severity: 'critical',
  schedule: '*/15 * * * *',
  freshFor: '1h',
  evidence,
  async collect(sources) {
    const inventory = await sources.inventory([POOL]);
    if (inventory === NOT_APPLICABLE) return NOT_APPLICABLE;
    const optional = inventory.items.some(
      (p) =>
        p.resourceType === POOL &&
        (p.environment === 'production' || p.environment === 'prod') &&
        (p.configuration.MfaConfiguration ?? p.configuration.mfaConfiguration) !== 'ON',
    );
    if (!optional) return { inventory, policyProbe: null };
    const policyProbe = [];
    // Both halves: with MFA the admin must be allowed (so a deny-everything policy set proves nothing), without it
    // denied by the MFA policy itself (so a deny for another reason, or no permit at all, proves nothing either).
    for (const action of ADMIN_ACTIONS) {
      for (const mfa of [true, false]) {
        const d = await sources.authorize({
          principal: { type: 'User', id: 'tenet:mfa-probe-admin' },
          action,
          resource: { type: 'Client', id: 'tenet:mfa-probe-client' },
          context: { mfa },
          entities: probeEntities,
        });
        policyProbe.push({ action, mfa, decision: d.decision, reasons: d.reasons, errors: d.errors });
      }
    }
    return { inventory, policyProbe };
  },
  evaluate({ inventory, policyProbe }) {
    const pools = production(inventory, POOL);
    const findings: Finding[] = [];
    // What the probe shows, per action: allowed with MFA, denied without it by a policy about MFA, no errors.
    const problems: string[] = [];
    for (const action of ADMIN_ACTIONS) {
      const withMfa = policyProbe?.find((p) => p.action === action && p.mfa);
      const without = policyProbe?.find((p) => p.action === action && !p.mfa);
      if (!withMfa || !without) problems.push(`${action} was not asked with and without MFA`);
      else if (withMfa.errors.length || without.errors.length)
        problems.push(`${action} errored (${[...withMfa.errors, ...without.errors].slice(0, 2).join('; ')})`);
      else if (withMfa.decision !== 'allow') problems.push(`${action} is denied even with MFA, so the deny without MFA proves nothing`);
      else if (without.decision !== 'deny') problems.push(`${action} is allowed without MFA`);
      else if (!without.reasons.some((r) => MFA_POLICY.test(r)))
        problems.push(
          `${action} without MFA is denied by ${without.reasons.length ? without.reasons.join(', ') : 'no policy (no permit)'}, not by an MFA policy`,
        );
    }
    for (const pool of pools) {
      const mfa = pool.configuration.MfaConfiguration ?? pool.configuration.mfaConfiguration;
      if (mfa === 'ON') continue;
      if (mfa === 'OPTIONAL') {
        if (policyProbe !== null && problems.length === 0) {
          findings.push(
            finding(
              pool,
              `user pool ${label(pool)} has MFA OPTIONAL; accepted because the active policies allow ${ADMIN_ACTIONS.join(', ')} with MFA and their MFA policy denies them without`,
              'info',
            ),
          );
        } else {
          findings.push(
            finding(
              pool,
              `user pool ${label(pool)} has MFA OPTIONAL and the active policies do not show MFA is enforced: ${problems.join('; ') || 'not asked'}`,
            ),
          );
        }
      } else {
        findings.push(finding(pool, `user pool ${label(pool)} has MFA ${typeof mfa === 'string' ? mfa : 'not recorded'}; production requires ON`));
      }
    }
    return verdict(inventory, { inScope: pools.length, findings, what: 'production user pools' });
  },
  remediation:
    'Set MFA to ON for production Cognito user pools (aws cognito-idp set-user-pool-mfa-config --mfa-configuration ON ...). ' +
    "OPTIONAL is accepted only while Tenet's active platform policies allow agency-admin actions (manage_users, connect_integration, disconnect_integration) with MFA and their MFA policy (forbid-administration-without-admin-mfa) denies them without it.",
});
