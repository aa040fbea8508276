import { z } from 'zod';
import { defineControl, type Finding } from '../define-control.ts';

const evidence = z.object({
  url: z.string(),
  status: z.number().int().optional(),
  error: z.string().optional(),
  orders: z.number().int(),
  fields: z.array(z.object({ field: z.string(), masked: z.number().int(), unmasked: z.number().int(), absent: z.number().int() })),
});

export default defineControl({
  id: 'pii.buyer-masked-by-default',
  title: 'Order API masks buyer PII by default',
  commitment: 'Buyer PII masked by default in order APIs and UI (Addendum §28, §13.2).',
  severity: 'critical',
  schedule: '*/30 * * * *',
  freshFor: '2h',
  evidence,
  collect: (sources) => sources.orderProbe(),
  evaluate(p) {
    if (p.error !== undefined || p.status === undefined)
      return { status: 'error', findings: [{ resourceId: p.url, message: `order API probe failed: ${p.error ?? 'no answer'}` }] };
    if (p.status !== 200) return { status: 'error', findings: [{ resourceId: p.url, message: `order API answered ${p.status}; cannot verify masking` }] };
    if (p.orders === 0) return { status: 'error', findings: [{ resourceId: p.url, message: 'order API returned no orders; cannot verify masking' }] };
    const findings: Finding[] = p.fields
      .filter((f) => f.unmasked > 0)
      .map((f) => ({ resourceId: p.url, message: `buyer field ${f.field} came back unmasked on ${f.unmasked} of ${p.orders} orders` }));
    return { status: findings.length ? 'fail' : 'pass', findings, summary: `${p.orders} orders, ${p.fields.length} buyer fields checked` };
  },
  remediation: 'Mask buyer name, address, phone and email in order list and detail responses; return them only through the audited, MFA-gated reveal action.',
});
