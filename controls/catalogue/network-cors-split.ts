import { z } from 'zod';
import { defineControl, NOT_APPLICABLE, type Finding } from '../define-control.ts';
import { finding, get, inventoryEvidence, isProduction, isStaging, label, ofType, verdict } from './inventory-evidence.ts';

const API = 'AWS::ApiGatewayV2::Api';

const normalise = (o: string) => o.trim().replace(/\/+$/, '').toLowerCase();

function originsOf(api: { configuration: Record<string, unknown> }): string[] {
  const o = get(api.configuration, 'corsConfiguration.allowOrigins');
  return Array.isArray(o) ? o.filter((x): x is string => typeof x === 'string').map(normalise) : [];
}

function unsafe(origin: string): string | undefined {
  if (origin === '*' || origin.includes('*')) return 'a wildcard';
  if (origin === 'null') return 'the null origin (sandboxed frames, file:// pages)';
  if (origin.startsWith('http://')) return 'plain http';
  return undefined;
}

/**
 * Whether a host looks like a non-production front-end: localhost and loopback, private names, a label that says
 * staging/preview/dev/test/qa/uat/sandbox (alone or with a number or dash: `stg2.`, `app-preview.`, `dev-app.`), and
 * the preview hosts of the usual front-end platforms (Vercel, Netlify, Cloudflare Pages, Amplify, ngrok).
 */
function nonProductionHost(origin: string): string | undefined {
  let host: string;
  try {
    host = new URL(origin).hostname.toLowerCase();
  } catch {
    return undefined;
  }
  if (/^(localhost|127\.\d+\.\d+\.\d+|\[::1\]|0\.0\.0\.0)$/.test(host) || host.endsWith('.localhost') || host.endsWith('.local')) return 'localhost';
  if (/(^|[.-])(staging|stage|stg|preview|prev|dev|develop|development|test|testing|qa|uat|sandbox|sbx|demo|beta|canary|pr-?\d+)(\d*)([.-]|$)/.test(host))
    return 'a staging, preview or dev host';
  if (/\.(vercel\.app|netlify\.app|pages\.dev|amplifyapp\.com|ngrok\.io|ngrok-free\.app|ngrok\.app|trycloudflare\.com)$/.test(host))
    return 'a preview deployment host';
  return undefined;
}

const evidence = z.object({
  inventory: inventoryEvidence,
  /** OPTIONS preflights to the production URLs with staging origins; null when not configured or not live */
  preflights: z
    .array(
      z.object({
        url: z.string(),
        origin: z.string(),
        status: z.number().int().optional(),
        allowOrigin: z.string().optional(),
        allowCredentials: z.boolean().optional(),
        error: z.string().optional(),
      }),
    )
    .nullable(),
});

export default defineControl({
  id: 'network.cors-split',
  title: 'Production and staging CORS are separated',
  commitment: 'Production and staging CORS separated (Addendum §28).',
  severity: 'high',
  schedule: '*/30 * * * *',
  freshFor: '2h',
  evidence,
  async collect(sources, settings) {
    const inventory = await sources.inventory([API]);
    if (inventory === NOT_APPLICABLE) return NOT_APPLICABLE;
    if (!sources.corsProbes || !settings.probes.cors) return { inventory, preflights: null };
    // Staging origins to try: the staging APIs' own, the configured ones, and a look-alike of each probed host.
    const origins = new Set<string>(settings.probes.cors.stagingOrigins.map(normalise));
    for (const api of inventory.items.filter((i) => i.resourceType === API && isStaging(i)))
      for (const o of originsOf(api)) if (!o.includes('*')) origins.add(o);
    for (const url of settings.probes.cors.urls) {
      const host = new URL(url).hostname.split('.');
      origins.add(`https://staging.${host.length > 2 ? host.slice(1).join('.') : host.join('.')}`);
    }
    const preflights = await sources.corsProbes([...origins]);
    return { inventory, preflights: preflights === NOT_APPLICABLE ? null : preflights };
  },
  evaluate({ inventory: e, preflights }, settings) {
    const allowList = new Set(settings.requirements.productionCorsOrigins.map(normalise));
    const apis = ofType(e, API);
    const prod = apis.filter(isProduction);
    const stagingOrigins = new Map<string, string[]>();
    for (const api of apis.filter(isStaging)) for (const o of originsOf(api)) stagingOrigins.set(o, [...(stagingOrigins.get(o) ?? []), label(api)]);
    const findings: Finding[] = [];
    for (const api of prod) {
      const origins = originsOf(api);
      const cors = get(api.configuration, 'corsConfiguration');
      if (cors !== undefined && cors !== null && !Array.isArray(get(cors, 'allowOrigins')))
        findings.push(finding(api, `production API ${label(api)} has a CORS configuration without a readable allowOrigins list`));
      if (origins.length && allowList.size === 0) {
        findings.push(
          finding(
            api,
            `production API ${label(api)} allows ${origins.join(', ')} but no production origin allow-list is configured (requirements.productionCorsOrigins): cannot tell production front-ends from others`,
          ),
        );
      }
      for (const o of origins) {
        const bad = unsafe(o) ?? nonProductionHost(o);
        if (bad) findings.push(finding(api, `production API ${label(api)} allows origin ${o} (${bad})`));
        else if (allowList.size && !allowList.has(o))
          findings.push(finding(api, `production API ${label(api)} allows origin ${o}, which is not in requirements.productionCorsOrigins`));
        const shared = stagingOrigins.get(o);
        if (shared) findings.push(finding(api, `origin ${o} is allowed by production API ${label(api)} and by staging API ${shared.join(', ')}`));
      }
    }
    const failedProbes = (preflights ?? []).filter((p) => p.error !== undefined || p.status === undefined);
    if (failedProbes.length) {
      return {
        status: 'error',
        findings: failedProbes.map((p) => ({ resourceId: p.url, message: `CORS preflight with Origin ${p.origin}: ${p.error ?? 'no answer'}` })),
        summary: `${failedProbes.length} CORS preflight(s) got no answer; not judged`,
      };
    }
    for (const p of preflights ?? []) {
      const allowed = p.allowOrigin !== undefined && (p.allowOrigin.trim() === '*' || normalise(p.allowOrigin) === normalise(p.origin));
      if (allowed)
        findings.push({
          resourceId: p.url,
          message: `production endpoint ${p.url} answers a preflight from staging origin ${p.origin} with Access-Control-Allow-Origin ${p.allowOrigin}${p.allowCredentials ? ' and credentials' : ''}`,
        });
    }
    const v = verdict(e, { inScope: prod.length + (preflights?.length ? 1 : 0), findings, what: 'production APIs and endpoints' });
    return v;
  },
  remediation:
    'Give production APIs only their own https production origins, listed in requirements.productionCorsOrigins (aws apigatewayv2 update-api --api-id ID --cors-configuration AllowOrigins=https://app.example.com); staging, preview and localhost origins belong on staging APIs only; never *, null or http:// in production. A backend that echoes the request Origin (the preflight probe) must check it against the same list.',
});
