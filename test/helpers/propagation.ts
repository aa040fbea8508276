/** The p-th percentile (nearest rank) of `xs`. */
export const percentile = (xs: number[], p: number): number =>
  [...xs].sort((a, b) => a - b)[Math.min(xs.length - 1, Math.max(0, Math.ceil((p / 100) * xs.length) - 1))];

/** ms from `write()` answering (on one replica) until `seen()` holds (on another), polled about every millisecond. */
export async function propagation(write: () => Promise<void>, seen: () => Promise<boolean>, limitMs = 10_000): Promise<number> {
  await write();
  const t0 = performance.now();
  while (!(await seen())) {
    if (performance.now() - t0 > limitMs) throw new Error(`not seen within ${limitMs} ms`);
    await new Promise((r) => setTimeout(r, 1));
  }
  return performance.now() - t0;
}

/** A caller of one replica's API with a bearer key: status and parsed JSON body. */
export function apiCaller(url: string, key: string) {
  return async (p: string, init: { method?: string; body?: unknown; key?: string } = {}): Promise<{ status: number; body: any }> => {
    const res = await fetch(url + p, {
      method: init.method ?? (init.body ? 'POST' : 'GET'),
      headers: { authorization: `Bearer ${init.key ?? key}`, 'content-type': 'application/json' },
      body: init.body ? JSON.stringify(init.body) : undefined,
    });
    return { status: res.status, body: (await res.json().catch(() => undefined)) as any };
  };
}
