import type { EnvironmentMapping } from '../../inventory/config-item.ts';
import type { AwsAccountTarget } from './aws-account-target.ts';
import type { CredentialsOption } from './aws-credentials.ts';
import type { Plan } from './inventory-plan.ts';

export interface AwsInventoryLogger {
  warn(obj: object, msg?: string): void;
  debug(obj: object, msg?: string): void;
}

/** What reading one account × region needs. */
export interface RegionContext {
  account: AwsAccountTarget;
  region: string;
  plan: Plan;
  credentials: CredentialsOption;
  clientConfig: Record<string, unknown>;
  mapping: EnvironmentMapping;
  retryDelayMs: number;
  signal?: AbortSignal;
  log?: AwsInventoryLogger;
}

export type SendOptions = { abortSignal?: AbortSignal };
/** Records a failed call of the region as an error naming `aws:<account>:<region>:<operation>`. */
export type Fail = (operation: string, err: unknown, about?: string) => void;

/** Service calls made at once within one account × region. */
export const CALLS_AT_ONCE = 4;
