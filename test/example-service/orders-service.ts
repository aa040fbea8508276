/**
 * An example app service: a small Express API of orders that asks Tenet before every access, through the client
 * (`engine/client`, the `@tenet/client` package) and its Express middleware. Its users come from its own
 * authentication — here, for the example, an `x-user` header — and its orders are pushed to Tenet as entities, so
 * Tenet's policies decide on them. README "Integrating an app service" shows the same three lines.
 */
import express from 'express';
import { TenetClient, type Entity } from '@tenet/client';
import { TenetAuthorization } from '@tenet/client/express';

export interface Order {
  id: string;
  agency: string;
  client: string;
  integration: string;
  total: number;
  piiRedacted: boolean;
  buyer: string;
}

/** An order as Tenet's platform schema has it: in its client, with its tenancy and integration. */
export function orderEntity(o: Order): Entity {
  const ref = (type: string, id: string) => ({ __entity: { type, id } });
  return {
    uid: { type: 'Order', id: o.id },
    attrs: { agency: ref('Agency', o.agency), client: ref('Client', o.client), integration: ref('Integration', o.integration), pii_redacted: o.piiRedacted },
    parents: [{ type: 'Client', id: o.client }],
  };
}

export function createOrdersService(props: { tenet: TenetClient; orders: Order[]; logger?: { log: (m: string) => void } }): express.Express {
  const orders = new Map(props.orders.map((o) => [o.id, o]));
  const app = express();
  app.use(express.json());

  const authz = new TenetAuthorization({
    client: props.tenet,
    principal: (req) => (req.get('x-user') ? { type: 'User', id: req.get('x-user')! } : undefined),
    context: (req) => ({ mfa: req.get('x-mfa') === 'yes' }),
    logger: props.logger,
  });
  const order = (req: express.Request) => ({ type: 'Order', id: String(req.params.id) });
  const view = ({ buyer: _buyer, ...o }: Order) => o;
  // A refund needs a human's approval (the platform policy's §20 guardrail): this route's own context.
  const approved = { context: (req: express.Request) => ({ human_approved: req.get('x-approved') === 'yes' }) };

  // One line per route: the action, and the resource from the route's params.
  app.get('/orders/:id', authz.route('read', order), (req, res) => {
    const o = orders.get(String(req.params.id));
    if (!o) res.status(404).json({ error: 'not_found' });
    else res.json(view(o));
  });
  app.post('/orders/:id/refund', authz.route('refund', order, approved), (req, res) => {
    res.json({ refunded: String(req.params.id), decisionId: res.locals.tenetDecision.decisionId });
  });
  app.get('/orders/:id/buyer', authz.route('reveal_buyer_pii', order), (req, res) => {
    res.json({ buyer: orders.get(String(req.params.id))?.buyer });
  });

  // A list asks about every order at once (authorizeBatch: one decision each, in order) and shows the allowed ones.
  app.get('/orders', async (req, res) => {
    const user = req.get('x-user');
    if (!user) {
      res.status(401).json({ error: 'unauthenticated' });
      return;
    }
    const all = [...orders.values()];
    const decisions = await props.tenet.authorizeBatch(
      all.map((o) => ({ principal: { type: 'User', id: user }, action: { id: 'read' }, resource: { type: 'Order', id: o.id } })),
    );
    res.json({ orders: all.filter((_, i) => decisions[i].decision === 'allow').map(view) });
  });
  return app;
}
