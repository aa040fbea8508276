import { ApiGatewayV2Client } from '@aws-sdk/client-apigatewayv2';
import { CloudWatchLogsClient } from '@aws-sdk/client-cloudwatch-logs';
import { ConfigServiceClient } from '@aws-sdk/client-config-service';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { LambdaClient } from '@aws-sdk/client-lambda';

/** The service clients of one account × region, created on first use. */
export class Clients {
  private readonly made: Array<{ destroy(): void }> = [];
  private cache = new Map<string, unknown>();
  constructor(private readonly cfg: Record<string, unknown>) {}
  private get<T extends { destroy(): void }>(name: string, make: () => T): T {
    let c = this.cache.get(name) as T | undefined;
    if (!c) {
      c = make();
      this.cache.set(name, c);
      this.made.push(c);
    }
    return c;
  }
  config = () => this.get('config', () => new ConfigServiceClient(this.cfg));
  logs = () => this.get('logs', () => new CloudWatchLogsClient(this.cfg));
  dynamodb = () => this.get('dynamodb', () => new DynamoDBClient(this.cfg));
  lambda = () => this.get('lambda', () => new LambdaClient(this.cfg));
  apigateway = () => this.get('apigateway', () => new ApiGatewayV2Client(this.cfg));
  destroy() {
    for (const c of this.made) c.destroy();
  }
}
