import { DescribeContinuousBackupsCommand, DescribeTimeToLiveCommand } from '@aws-sdk/client-dynamodb';
import type { InventoryItem } from '../../define-control.ts';
import type { Clients } from './aws-region-clients.ts';
import { CALLS_AT_ONCE, type Fail, type SendOptions } from './aws-region-context.ts';
import { mapLimit } from './aws-common.ts';
import { get, isObject, nameOf } from './configuration-fields.ts';

/** DynamoDB: TTL and point-in-time recovery status, in the lower-camel spelling of AWS Config's supplementary fields. */
export async function fillDynamoDb(clients: Clients, tables: InventoryItem[], send: SendOptions, fail: Fail): Promise<void> {
  const jobs: Array<() => Promise<void>> = [];
  for (const table of tables) {
    const name = nameOf(table, 'tableName');
    const supp = table.supplementaryConfiguration;
    if (get(supp, 'TimeToLiveDescription.timeToLiveStatus') === undefined) {
      jobs.push(async () => {
        try {
          const res = await clients.dynamodb().send(new DescribeTimeToLiveCommand({ TableName: name }), send);
          const d = res.TimeToLiveDescription;
          supp.TimeToLiveDescription = {
            ...(isObject(supp.TimeToLiveDescription) ? supp.TimeToLiveDescription : {}),
            timeToLiveStatus: d?.TimeToLiveStatus ?? 'DISABLED',
            ...(d?.AttributeName ? { attributeName: d.AttributeName } : {}),
          };
        } catch (err) {
          fail('DynamoDB.DescribeTimeToLive', err, `table ${name}`);
        }
      });
    }
    if (get(supp, 'ContinuousBackupsDescription.pointInTimeRecoveryDescription.pointInTimeRecoveryStatus') === undefined) {
      jobs.push(async () => {
        try {
          const res = await clients.dynamodb().send(new DescribeContinuousBackupsCommand({ TableName: name }), send);
          const d = res.ContinuousBackupsDescription;
          const prior = isObject(supp.ContinuousBackupsDescription) ? supp.ContinuousBackupsDescription : {};
          supp.ContinuousBackupsDescription = {
            ...prior,
            ...(d?.ContinuousBackupsStatus ? { continuousBackupsStatus: d.ContinuousBackupsStatus } : {}),
            pointInTimeRecoveryDescription: {
              ...(isObject(prior.pointInTimeRecoveryDescription) ? prior.pointInTimeRecoveryDescription : {}),
              pointInTimeRecoveryStatus: d?.PointInTimeRecoveryDescription?.PointInTimeRecoveryStatus ?? 'DISABLED',
            },
          };
        } catch (err) {
          fail('DynamoDB.DescribeContinuousBackups', err, `table ${name}`);
        }
      });
    }
  }
  await mapLimit(jobs, CALLS_AT_ONCE, (job) => job());
}
