import { DescribeConfigurationRecordersCommand, DescribeConfigurationRecorderStatusCommand } from '@aws-sdk/client-config-service';
import type { InventoryItem } from '../../define-control.ts';
import { CONFIG_RECORDER } from '../../inventory/resource-types.ts';
import type { Clients } from './aws-region-clients.ts';
import type { Fail, RegionContext, SendOptions } from './aws-region-context.ts';

/**
 * The region's AWS Config recorders (DescribeConfigurationRecorders) as `AWS::Config::ConfigurationRecorder` items,
 * their status (DescribeConfigurationRecorderStatus) in `supplementaryConfiguration.ConfigurationRecorderStatus`.
 * No recorder → no item: the region is still in the slice's `regions`, so its types count as not recorded.
 */
export async function readRecorders(clients: Clients, ctx: RegionContext, send: SendOptions, fail: Fail): Promise<InventoryItem[]> {
  try {
    const [recorders, statuses] = await Promise.all([
      clients.config().send(new DescribeConfigurationRecordersCommand({}), send),
      clients.config().send(new DescribeConfigurationRecorderStatusCommand({}), send),
    ]);
    const capturedAt = new Date().toISOString();
    return (recorders.ConfigurationRecorders ?? []).map((r) => {
      const name = r.name ?? 'default';
      const status = (statuses.ConfigurationRecordersStatus ?? []).find((x) => x.name === name);
      return {
        resourceType: CONFIG_RECORDER,
        resourceId: name,
        resourceName: name,
        awsRegion: ctx.region,
        accountId: ctx.account.accountId,
        arn: r.arn,
        tags: {},
        configuration: JSON.parse(JSON.stringify({ name, roleARN: r.roleARN, recordingGroup: r.recordingGroup ?? {}, recordingMode: r.recordingMode })),
        supplementaryConfiguration: status
          ? {
              ConfigurationRecorderStatus: JSON.parse(
                JSON.stringify({
                  recording: status.recording,
                  lastStatus: status.lastStatus,
                  lastStatusChangeTime: status.lastStatusChangeTime?.toISOString(),
                  lastStartTime: status.lastStartTime?.toISOString(),
                  lastStopTime: status.lastStopTime?.toISOString(),
                  lastErrorCode: status.lastErrorCode,
                }),
              ),
            }
          : {},
        configurationItemCaptureTime: capturedAt,
      };
    });
  } catch (err) {
    fail('ConfigService.DescribeConfigurationRecorders', err);
    return [];
  }
}
