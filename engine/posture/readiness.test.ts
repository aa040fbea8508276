import { describe, expect, it } from 'vitest';
import type { Entity } from '../authz/entity.ts';
import { enforceIntegration } from './readiness.ts';

const integration = (id: string, attrs: Record<string, unknown>): Entity => ({
  uid: { type: 'Integration', id },
  attrs: { provider: id, restricted: true, status: 'live', ready: false, ...attrs },
  parents: [],
});
const enforce = (entity: Entity, over: Partial<Parameters<typeof enforceIntegration>[0]> = {}) =>
  enforceIntegration({ entity, configured: undefined, computedReady: undefined, previous: undefined, privileged: false, ...over }).attrs;

describe('enforceIntegration: what Tenet keeps on an Integration entity', () => {
  it('a configured integration gets provider and restricted from its settings and ready from posture', () => {
    const pushed = integration('whatsapp', { provider: 'other', restricted: false, ready: true });
    expect(enforce(pushed, { configured: { restricted: true } })).toMatchObject({ provider: 'whatsapp', restricted: true, ready: false });
    expect(enforce(pushed, { configured: { restricted: true, provider: 'meta_whatsapp' }, computedReady: true })).toMatchObject({
      provider: 'meta_whatsapp',
      ready: true,
    });
    expect(enforce(integration('sheets', { restricted: true }), { configured: { restricted: false }, computedReady: true })).toMatchObject({
      restricted: false,
      ready: true,
    });
  });

  it('an unconfigured integration keeps what was pushed, except that a restricted one is never ready', () => {
    expect(enforce(integration('x', { restricted: true, ready: true }))).toMatchObject({ restricted: true, ready: false });
    expect(enforce(integration('x', { restricted: false, ready: true, provider: 'y' }))).toMatchObject({ restricted: false, ready: true, provider: 'y' });
  });

  it('status moves only toward suspended, unless the writer is privileged; the first write sets it', () => {
    const was = (status: string) => integration('amazon_spapi', { status });
    expect(enforce(integration('a', { status: 'planned' }))).toMatchObject({ status: 'planned' });
    expect(enforce(integration('a', { status: 'suspended' }), { previous: was('live') })).toMatchObject({ status: 'suspended' });
    expect(enforce(integration('a', { status: 'live' }), { previous: was('suspended') })).toMatchObject({ status: 'suspended' });
    expect(enforce(integration('a', { status: 'live' }), { previous: was('planned') })).toMatchObject({ status: 'planned' });
    expect(enforce(integration('a', { status: 'live' }), { previous: was('suspended'), privileged: true })).toMatchObject({ status: 'live' });
  });

  it('returns the same object when nothing changes, and leaves other types alone', () => {
    const e = integration('x', { restricted: false, ready: true });
    expect(enforceIntegration({ entity: e, configured: undefined, computedReady: undefined, previous: e, privileged: false })).toBe(e);
    const user: Entity = { uid: { type: 'User', id: 'u' }, attrs: { status: 'live' }, parents: [] };
    expect(enforceIntegration({ entity: user, configured: { restricted: true }, computedReady: true, previous: undefined, privileged: false })).toBe(user);
  });
});
