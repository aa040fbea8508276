import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadConfig } from '../kernel/config.ts';
import { ConflictError } from '../kernel/errors.ts';
import { buildDemoEntities } from '../demo/demo-entities.ts';
import { createLogger } from '../kernel/logger.ts';
import { SHIPPED_POLICY_DIR } from '../kernel/version.ts';
import { createTestDatabase } from '../../test/helpers/test-database.ts';
import * as cedar from './cedar-runtime.ts';
import { decidingCedar } from './cedar-runtime.ts';
import { createAuthz, pdpTableRunner, type Authz } from './create-authz.ts';
import { PolicyStore, type PolicyCheckReport } from './policy-store.ts';

/**
 * The second line of defence: a version the sandbox accepted that faults the deciding instance while its decision
 * tables run (the sandbox parses and validates; it does not evaluate) is rejected, and the active set keeps deciding
 * once the instance is replaced. The fault is a real one in the deciding instance, made by the table runner given
 * through the props, the way a hostile policy would make it while being evaluated.
 */
let database: Awaited<ReturnType<typeof createTestDatabase>>;
let authz: Authz;
beforeAll(async () => {
  database = await createTestDatabase();
  authz = await createAuthz({
    db: database.db,
    logger: createLogger({ level: 'silent' }),
    config: loadConfig({ LOG_LEVEL: 'silent' }),
    policyDir: SHIPPED_POLICY_DIR,
  });
  await authz.entityStore.upsert(buildDemoEntities());
});
afterAll(async () => {
  await authz?.close();
  await database?.close();
});

const read = (user: string) =>
  authz.platform.authorize({ principal: { type: 'User', id: user }, action: { id: 'read' }, resource: { type: 'Order', id: 'o-1001' } });

describe('a candidate that faults the deciding instance', () => {
  it('is rejected with the fault named; the active set keeps deciding after the replacement', async () => {
    const active = authz.platform.active!;
    const real = pdpTableRunner({ pdp: authz.platform, casesDir: `${SHIPPED_POLICY_DIR}/cases`, name: 'platform' });
    const store = new PolicyStore({
      db: database.db,
      logger: createLogger({ level: 'silent' }),
      pdps: { platform: authz.platform, tenet: authz.tenet },
      runners: {
        platform: async (candidate) => {
          // What the PDP does with a fault: caught, and the case denied. Here the first case faults Cedar for real.
          try {
            cedar.policySetTextToParts(`permit(principal, action, resource) when { ${'('.repeat(400)}true${')'.repeat(400)} };`);
          } catch {
            /* CedarFaultError: the PDP would deny with it */
          }
          return real(candidate);
        },
        tenet: async () => ({ passed: 0, failed: [] }),
      },
      shippedDir: SHIPPED_POLICY_DIR,
      sandbox: authz.cedar.sandbox,
    });
    const faultsBefore = decidingCedar.faults;
    let report: PolicyCheckReport | undefined;
    try {
      await store.propose({ source: { name: 'platform', policies: active.policies + '\n// a new version\n', schema: active.schema }, createdBy: 'test' });
    } catch (error) {
      expect(error).toBeInstanceOf(ConflictError);
      report = ((error as ConflictError).details as { report: PolicyCheckReport }).report;
    }
    expect(report?.ok).toBe(false);
    expect(report?.validation.errors.join()).toMatch(/Cedar faulted while deciding with this version \((RuntimeError|RangeError)/);
    expect(decidingCedar.faults).toBe(faultsBefore + 1);
    await decidingCedar.whenHealthy();
    expect(authz.platform.active?.hash).toBe(active.hash);
    expect(read('asha')).toMatchObject({ decision: 'allow', errors: [], policyHash: active.hash });
    expect(read('dev').decision).toBe('deny');
    const versions = await store.versions('platform');
    expect(versions[0]).toMatchObject({ status: 'rejected' });
    expect(versions.find((v) => v.status === 'active')?.hash).toBe(active.hash);
  });
});
