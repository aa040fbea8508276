import { defineControl, type Finding } from '../define-control.ts';
import { recorderOf, records } from '../inventory/recorder.ts';
import { CONFIG_RECORDED_TYPES, CONFIG_RECORDER } from '../inventory/resource-types.ts';
import { collectInventory, inventoryEvidence, verdict } from './inventory-evidence.ts';

const HOUR_MS = 3_600_000;

export default defineControl({
  id: 'config.recorder-healthy',
  title: 'AWS Config records every resource type the controls read, in every region',
  commitment:
    'The §28 and §22 verifications are only as good as the inventory under them: every read account and region has an AWS Config recorder that is recording, records every resource type the inventory controls read, and recorded recently (Addendum §21, §28).',
  severity: 'critical',
  schedule: '2,32 * * * *',
  freshFor: '2h',
  evidence: inventoryEvidence,
  collect: collectInventory([CONFIG_RECORDER]),
  evaluate(e, settings) {
    const maxSilenceMs = settings.requirements.configRecorderMaxSilenceHours * HOUR_MS;
    const recorders = e.items.filter((i) => i.resourceType === CONFIG_RECORDER).map(recorderOf);
    // Every account × region read, and every one a recorder item speaks of.
    const regions = [...(e.regions ?? [])];
    for (const r of recorders)
      if (!regions.some((w) => w.accountId === r.accountId && w.region === r.region)) regions.push({ accountId: r.accountId, region: r.region });
    const captured = new Map(
      e.items.filter((i) => i.resourceType === CONFIG_RECORDER).map((i) => [`${i.accountId}|${i.awsRegion}|${i.resourceId}`, i.configurationItemCaptureTime]),
    );
    const findings: Finding[] = [];
    const now = Date.now();
    for (const where of regions) {
      const id = `config-recorder:${where.accountId}:${where.region}`;
      const add = (message: string) => findings.push({ resourceId: id, resourceType: CONFIG_RECORDER, message });
      const here = recorders.filter((r) => r.accountId === where.accountId && r.region === where.region);
      if (here.length === 0) {
        add(`account ${where.accountId} has no AWS Config recorder in ${where.region}: nothing there is recorded`);
        continue;
      }
      const active = here.filter((r) => r.recording === true);
      if (active.length === 0) {
        add(`the AWS Config recorder ${here.map((r) => r.name).join(', ')} in account ${where.accountId} ${where.region} is not recording`);
        continue;
      }
      for (const r of active) {
        if (r.lastStatus && r.lastStatus.toUpperCase() === 'FAILURE')
          add(
            `the AWS Config recorder ${r.name} in account ${where.accountId} ${where.region} failed its last recording${r.lastErrorCode ? ` (${r.lastErrorCode})` : ''}`,
          );
      }
      const unrecorded = CONFIG_RECORDED_TYPES.filter((t) => !active.some((r) => records(r, t)));
      if (unrecorded.length) add(`the AWS Config recorder in account ${where.accountId} ${where.region} does not record ${unrecorded.join(', ')}`);
      // Freshness: the recorder's last status change (DescribeConfigurationRecorderStatus) or, from a snapshot
      // file, the newest configurationItemCaptureTime of the region (the recorder's own item included).
      // A live status is the recorder's own word; capture times stand in only where there is none (snapshot files).
      const statusTimes = active.map((r) => r.lastStatusChangeTime).filter((t): t is string => !!t);
      const last = (statusTimes.length ? statusTimes : [...active.map((r) => captured.get(`${r.accountId}|${r.region}|${r.id}`)), where.lastCaptureTime])
        .filter((t): t is string => !!t && Date.parse(t) > 0)
        .sort()
        .pop();
      if (!last) add(`no recording time is known for account ${where.accountId} ${where.region}`);
      else if (now - Date.parse(last) > maxSilenceMs) {
        add(
          `the newest recording in account ${where.accountId} ${where.region} is from ${last}, more than ${settings.requirements.configRecorderMaxSilenceHours} h ago`,
        );
      }
    }
    return verdict(e, { inScope: regions.length, findings, what: 'account regions' });
  },
  remediation:
    'Start the recorder in every region Tenet reads (aws configservice start-configuration-recorder --configuration-recorder-name default), record all supported resource types or at least every type Tenet reads (aws configservice put-configuration-recorder --recording-group allSupported=true), and fix the delivery channel or the recorder role if the last recording failed.',
});
