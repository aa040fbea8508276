import { z } from 'zod';
import { defineControl, NOT_APPLICABLE, type Finding } from '../define-control.ts';
import { finding, inventoryEvidence, label, production, verdict } from './inventory-evidence.ts';

const POOL = 'AWS::Cognito::UserPool';
/** The agency-admin actions §7/§28 say need MFA; the probe asks the PDP for each without MFA. */
const ADMIN_ACTIONS = ['manage_users', 'connect_integration', 'disconnect_integration'] as const;

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
    parents: [{ type: 'Role', id: 'agency_admin' }, { type: 'Agency', id: 'tenet:mfa-probe-agency' }],
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
  frameworks: ['ADDENDUM:28.7', 'ADDENDUM:13.2', 'SPAPI-DPP:2.1', 'GOOGLE:CASA-2.1'],
  severity: 'critical',
  schedule: '*/15 * * * *',
  freshFor: '1h',
  evidence,
  async collect(sources) {
    const inventory = await sources.inventory([POOL]);
    if (inventory === NOT_APPLICABLE) return NOT_APPLICABLE;
    const optional = inventory.items.some((p) => p.resourceType === POOL && (p.environment === 'production' || p.environment === 'prod') && p.configuration.MfaConfiguration === 'OPTIONAL');
    if (!optional) return { inventory, policyProbe: null };
    const policyProbe = [];
    for (const action of ADMIN_ACTIONS) {
      const d = await sources.authorize({
        principal: { type: 'User', id: 'tenet:mfa-probe-admin' },
        action,
        resource: { type: 'Client', id: 'tenet:mfa-probe-client' },
        context: { mfa: false },
        entities: probeEntities,
      });
      policyProbe.push({ action, mfa: false, decision: d.decision, reasons: d.reasons, errors: d.errors });
    }
    return { inventory, policyProbe };
  },
  evaluate({ inventory, policyProbe }) {
    const pools = production(inventory, POOL);
    const findings: Finding[] = [];
    const probeErrors = (policyProbe ?? []).filter((p) => p.errors.length);
    const policyDenies = policyProbe !== null && policyProbe.every((p) => p.decision === 'deny') && probeErrors.length === 0;
    for (const pool of pools) {
      const mfa = pool.configuration.MfaConfiguration;
      if (mfa === 'ON') continue;
      if (mfa === 'OPTIONAL') {
        if (policyDenies) {
          findings.push(finding(pool, `user pool ${label(pool)} has MFA OPTIONAL; accepted because the active policies deny ${ADMIN_ACTIONS.join(', ')} without MFA`, 'info'));
        } else {
          const allowed = (policyProbe ?? []).filter((p) => p.decision === 'allow').map((p) => p.action);
          findings.push(finding(pool, `user pool ${label(pool)} has MFA OPTIONAL and the active policies ${allowed.length ? `allow ${allowed.join(', ')}` : 'could not be shown to deny admin actions'} without MFA`));
        }
      } else {
        findings.push(finding(pool, `user pool ${label(pool)} has MFA ${typeof mfa === 'string' ? mfa : 'not configured'}; production requires ON`));
      }
    }
    return verdict(inventory, { inScope: pools.length, findings, what: 'production user pools' });
  },
  remediation:
    'Set MFA to ON for production Cognito user pools (aws cognito-idp set-user-pool-mfa-config --mfa-configuration ON ...). ' +
    'OPTIONAL is accepted only while Tenet\'s active platform policies deny agency-admin actions (manage_users, connect_integration, disconnect_integration) to sessions without MFA.',
});
