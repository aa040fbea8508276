/**
 * What the demo platform's production log groups hold, one generator of a log message per group: order ids, AWB
 * numbers, amounts, request ids, hashes, IPs (buyer data masked), from a fixed seed so each run writes the same
 * logs. `hex` draws from the same sequence (the log stream names).
 */
export function demoLogLines(): { groups: Record<string, (ts: number) => string>; hex: (n: number) => string } {
  let seed = 20261123;
  const rand = () => (seed = (seed * 1103515245 + 12345) >>> 0) / 2 ** 32;
  const int = (n: number) => Math.floor(rand() * n);
  const digits = (n: number) => Array.from({ length: n }, () => int(10)).join('');
  const hex = (n: number) => Array.from({ length: n }, () => '0123456789abcdef'[int(16)]).join('');
  const uuid = () => `${hex(8)}-${hex(4)}-4${hex(3)}-a${hex(3)}-${hex(12)}`;
  const clients = ['chai-co', 'masala-mart', 'kora-home'];
  const groups: Record<string, (ts: number) => string> = {
    '/aws/lambda/order-import': (ts) =>
      JSON.stringify({
        level: 'info',
        time: ts,
        requestId: uuid(),
        msg: 'order imported',
        amazonOrderId: `40${int(8)}-${digits(7)}-${digits(7)}`,
        items: 1 + int(4),
        total: `${100 + int(5000)}.00`,
        currency: 'INR',
        client: clients[int(3)],
        buyer: '[masked]',
        sku: `SKU-${digits(5)}-${hex(4).toUpperCase()}`,
      }),
    '/aws/lambda/whatsapp-inbound': (ts) =>
      JSON.stringify({
        level: 'info',
        time: ts,
        requestId: uuid(),
        msg: 'message received',
        waMessageId: `wamid.${hex(24).toUpperCase()}`,
        client: clients[int(2)],
        template: ['order_update', 'delivery_eta', 'feedback'][int(3)],
        contact: `fp_${hex(16)}`,
      }),
    '/aws/apigateway/astrix-prod-app': (ts) =>
      JSON.stringify({
        requestId: uuid(),
        ip: `10.${int(255)}.${int(255)}.${int(255)}`,
        routeKey: ['GET /orders', 'GET /orders/{id}', 'POST /reports'][int(3)],
        status: [200, 200, 200, 304, 404][int(5)],
        latency: 5 + int(400),
        sub: uuid(),
        time: new Date(ts).toISOString(),
      }),
    '/aws/apigateway/astrix-prod-webhooks': (ts) =>
      JSON.stringify({
        requestId: uuid(),
        ip: `10.${int(255)}.${int(255)}.${int(255)}`,
        routeKey: ['POST /webhooks/stripe', 'POST /webhooks/whatsapp'][int(2)],
        status: [200, 200, 200, 400][int(4)],
        latency: 3 + int(120),
        time: new Date(ts).toISOString(),
      }),
    '/aws/lambda/buyer-pii-redaction': (ts) =>
      JSON.stringify({
        level: 'info',
        time: ts,
        requestId: uuid(),
        msg: 'orders redacted',
        client: clients[int(3)],
        orders: int(40),
        fields: ['name', 'phone', 'address'],
        durationMs: 20 + int(900),
      }),
    '/aws/lambda/report-builder': (ts) =>
      JSON.stringify({
        level: 'info',
        time: ts,
        requestId: uuid(),
        msg: 'report built',
        client: clients[int(3)],
        report: ['sales-daily', 'returns-weekly', 'ads-spend'][int(3)],
        rows: int(5000),
        durationMs: 50 + int(4000),
      }),
    '/aws/lambda/google-oauth-callback': (ts) =>
      JSON.stringify({
        level: 'info',
        time: ts,
        requestId: uuid(),
        msg: 'google connection updated',
        client: clients[int(3)],
        scopes: 1 + int(4),
        outcome: ['connected', 'refreshed', 'revoked'][int(3)],
      }),
  };
  return { groups, hex };
}
