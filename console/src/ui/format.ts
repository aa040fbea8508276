export function bytes(n: number | null | undefined): string {
  if (n === null || n === undefined) return '—';
  if (n < 1024) return `${n} B`;
  if (n < 1024 ** 2) return `${(n / 1024).toFixed(1)} kB`;
  if (n < 1024 ** 3) return `${(n / 1024 ** 2).toFixed(1)} MB`;
  return `${(n / 1024 ** 3).toFixed(2)} GB`;
}

export function duration(ms: number | null | undefined): string {
  if (ms === null || ms === undefined) return '—';
  if (ms < 1000) return `${ms} ms`;
  if (ms < 60_000) return `${(ms / 1000).toFixed(1)} s`;
  return `${Math.round(ms / 60_000)} min`;
}

export const percent = (x: number): string => `${Math.round(x * 100)}%`;

/** "ADDENDUM:28.3" → "Addendum §28.3"; other framework refs as they are. */
export function frameworkLabel(ref: string): string {
  const [programme, item] = ref.split(':');
  if (programme === 'security-addendum') return `Addendum §${item}`;
  if (programme === 'amazon-spapi-dpp') return `SP-API DPP §${item}`;
  if (programme === 'google-limited-use-casa') return item.startsWith('V') ? `CASA (ASVS) ${item}` : `Google ${item}`;
  return ref;
}

/** A friendly integration name from its id ("amazon_spapi" → "Amazon SP-API"). */
export function integrationName(id: string): string {
  const known: Record<string, string> = {
    amazon_spapi: 'Amazon SP-API',
    amazon_ads: 'Amazon Ads',
    google: 'Google APIs',
    google_apis: 'Google APIs',
    google_ads: 'Google Ads',
    google_analytics: 'Google Analytics',
    google_sheets: 'Google Sheets',
    google_docs: 'Google Docs',
    youtube: 'YouTube',
    meta_ads: 'Meta Ads',
    linkedin_ads: 'LinkedIn Ads',
    whatsapp: 'WhatsApp',
    stripe: 'Stripe',
  };
  return known[id] ?? id.replace(/_/g, ' ');
}

/** The same name, with unknown ids in title case ("google_ads" → "Google Ads"). */
export function titledIntegrationName(id: string): string {
  const n = integrationName(id);
  return n === id.replace(/_/g, ' ') ? n.replace(/\b[a-z]/g, (ch) => ch.toUpperCase()) : n;
}
