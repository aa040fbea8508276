import { createHash } from 'node:crypto';

const MAX_PAGES = 1000;

/** Pages through a token-paged API. A token seen before, or too many pages, means the pagination never ends. */
export async function paginate(fetchPage: (token: string | undefined) => Promise<string | undefined>): Promise<void> {
  const seen = new Set<string>();
  let token: string | undefined;
  for (let pages = 1; ; pages++) {
    if (pages > MAX_PAGES) throw new Error(`pagination did not end after ${MAX_PAGES} pages`);
    const next = await fetchPage(token);
    if (!next) return;
    if (seen.has(next)) throw new Error('pagination did not end: the service repeated a page token');
    seen.add(next);
    token = next;
  }
}

/** A short digest of a page token, to remember the tokens seen without holding them. */
export const tokenDigest = (token: string) => createHash('sha256').update(token).digest('base64url').slice(0, 22);
