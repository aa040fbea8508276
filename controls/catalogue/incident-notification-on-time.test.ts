import { describe, expect, it } from 'vitest';
import { NOT_APPLICABLE, type EvidenceSources } from '../define-control.ts';
import { runControl } from '../runner.ts';
import { parseControlSettings } from '../settings.ts';
import control from './incident-notification-on-time.ts';

const settings = parseControlSettings({ incidents: { lookbackDays: 30 } });
const only = (incidents: EvidenceSources['incidents']): EvidenceSources =>
  ({
    inventory: async () => NOT_APPLICABLE,
    webhookProbes: async () => NOT_APPLICABLE,
    orderProbe: async () => NOT_APPLICABLE,
    unredactedOrders: async () => NOT_APPLICABLE,
    attestations: async () => NOT_APPLICABLE,
    authorize: async () => ({ decision: 'deny', reasons: [], errors: [] }),
    logScan: async () => NOT_APPLICABLE,
    self: async () => NOT_APPLICABLE,
    incidents,
  }) as EvidenceSources;

describe('incident.notification-on-time', () => {
  it('passes on an empty register, saying so, over the configured look-back', async () => {
    let asked = 0;
    const r = await runControl(
      control,
      only(async (days) => {
        asked = days;
        return { asOf: new Date().toISOString(), days, incidents: [] };
      }),
      settings,
    );
    expect(asked).toBe(30);
    expect(r.status).toBe('pass');
    expect(r.summary).toBe('no incidents in the last 30 days');
  });

  it('fails on a clock that is overdue now, even before anyone closes the incident', async () => {
    const r = await runControl(
      control,
      only(async (days) => ({
        asOf: new Date().toISOString(),
        days,
        incidents: [
          {
            id: 'INC-20261127-ABCDEF',
            title: 't',
            severity: 'critical',
            status: 'open',
            detectedAt: new Date(Date.now() - 25 * 3_600_000).toISOString(),
            closedAt: null,
            reviewed: false,
            clocks: [{ party: 'amazon', dueAt: new Date(Date.now() - 3_600_000).toISOString(), notifiedAt: null }],
          },
        ],
      })),
      settings,
    );
    expect(r.status).toBe('fail');
    expect(r.findings[0].message).toMatch(/amazon not notified; the deadline passed 1 h ago/);
  });
});
