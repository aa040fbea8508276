import { GetRoutesCommand } from '@aws-sdk/client-apigatewayv2';
import type { InventoryItem } from '../../define-control.ts';
import type { Clients } from './aws-region-clients.ts';
import { CALLS_AT_ONCE, type Fail, type SendOptions } from './aws-region-context.ts';
import { mapLimit } from './aws-common.ts';
import { paginate } from './aws-pagination.ts';
import { ROUTE } from './inventory-plan.ts';

/** API Gateway v2 routes are not recorded by AWS Config: one item per route, tagged and placed like its API. */
export async function readRoutes(clients: Clients, apis: InventoryItem[], send: SendOptions, fail: Fail): Promise<InventoryItem[]> {
  const out: InventoryItem[] = [];
  const capturedAt = new Date().toISOString();
  await mapLimit(apis, CALLS_AT_ONCE, async (api) => {
    const routes: InventoryItem[] = [];
    try {
      await paginate(async (token) => {
        const page = await clients.apigateway().send(new GetRoutesCommand({ ApiId: api.resourceId, NextToken: token, MaxResults: '100' }), send);
        for (const r of page.Items ?? []) {
          if (!r.RouteId) continue;
          const route: InventoryItem = {
            resourceType: ROUTE,
            resourceId: r.RouteId,
            resourceName: r.RouteKey,
            awsRegion: api.awsRegion,
            accountId: api.accountId,
            arn: `arn:aws:apigateway:${api.awsRegion}::/apis/${api.resourceId}/routes/${r.RouteId}`,
            tags: { ...api.tags },
            configuration: {
              apiId: api.resourceId,
              routeKey: r.RouteKey,
              authorizationType: r.AuthorizationType ?? 'NONE',
              ...(r.Target ? { target: r.Target } : {}),
            },
            supplementaryConfiguration: {},
            configurationItemCaptureTime: capturedAt,
          };
          if (api.environment) route.environment = api.environment;
          routes.push(route);
        }
        return page.NextToken;
      });
      out.push(...routes);
    } catch (err) {
      fail('ApiGatewayV2.GetRoutes', err, `api ${api.resourceName ?? api.resourceId}`);
    }
  });
  return out;
}
