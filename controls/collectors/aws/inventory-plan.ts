import { CONFIG_RECORDER } from '../../inventory/resource-types.ts';

/** The resource types the AWS collector reads otherwise than with a plain AWS Config select, or treats apart. */
export const ROUTE = 'AWS::ApiGatewayV2::Route';
export const API = 'AWS::ApiGatewayV2::Api';
export const LAMBDA = 'AWS::Lambda::Function';
export const TABLE = 'AWS::DynamoDB::Table';
export const LOG_GROUP = 'AWS::Logs::LogGroup';
export const BUCKET = 'AWS::S3::Bucket';

/** What one inventory read asks for, and what it selects from AWS Config for that. */
export interface Plan {
  /** types asked for: only these leave the collector */
  wanted: Set<string>;
  /** types selected from AWS Config (routes, log groups and recorders are not: they are read from their APIs) */
  select: string[];
}

/** Read from their own APIs: AWS Config records no route and no log group; the recorder is described, not recorded. */
const FROM_SERVICE_APIS = new Set([ROUTE, LOG_GROUP, CONFIG_RECORDER]);

export function planFor(types: string[]): Plan {
  const wanted = new Set(types);
  const select = new Set([...wanted].filter((t) => !FROM_SERVICE_APIS.has(t)));
  if (wanted.has(ROUTE)) select.add(API);
  return { wanted, select: [...select] };
}
