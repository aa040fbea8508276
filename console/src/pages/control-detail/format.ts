import { integrationName as baseIntegrationName } from '../../ui/format.ts';

/** The shared name, with unknown ids in title case ("google_ads" → "Google Ads"). */
export const integrationName = (id: string) => {
  const n = baseIntegrationName(id);
  return n === id.replace(/_/g, ' ') ? n.replace(/\b[a-z]/g, (ch) => ch.toUpperCase()) : n;
};
