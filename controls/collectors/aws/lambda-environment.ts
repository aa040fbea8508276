import { GetFunctionConfigurationCommand } from '@aws-sdk/client-lambda';
import type { InventoryItem } from '../../define-control.ts';
import type { Clients } from './aws-region-clients.ts';
import { CALLS_AT_ONCE, type Fail, type SendOptions } from './aws-region-context.ts';
import { mapLimit } from './aws-common.ts';
import { get, isObject, nameOf } from './configuration-fields.ts';
import { redactEnvironment } from '../env-values.ts';

export async function fillLambdaEnvironment(clients: Clients, functions: InventoryItem[], send: SendOptions, fail: Fail): Promise<void> {
  const missing = functions.filter((f) => !isObject(get(f.configuration, 'environment.variables')));
  await mapLimit(missing, CALLS_AT_ONCE, async (fn) => {
    const name = nameOf(fn, 'functionName');
    try {
      const res = await clients.lambda().send(new GetFunctionConfigurationCommand({ FunctionName: name }), send);
      const env = isObject(fn.configuration.environment) ? fn.configuration.environment : {};
      fn.configuration.environment = { ...env, variables: redactEnvironment(res.Environment?.Variables ?? {}) };
    } catch (err) {
      fail('Lambda.GetFunctionConfiguration', err, `function ${name}`);
    }
  });
}

/** Lambda environment values are secrets: only the names, and what the secret detectors found in each value, are kept. */
export function redactLambdaEnvironment(item: InventoryItem): void {
  for (const [envKey, varsKey] of [
    ['environment', 'variables'],
    ['Environment', 'Variables'],
  ] as const) {
    const env = item.configuration[envKey];
    if (isObject(env) && isObject(env[varsKey])) env[varsKey] = redactEnvironment(env[varsKey] as Record<string, unknown>);
  }
}
