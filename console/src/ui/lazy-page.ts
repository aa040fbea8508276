import { lazy, type ComponentType, type LazyExoticComponent } from 'react';

/** When the console last reloaded itself for a missing chunk (per tab): at most one reload a minute. */
const RELOADED_AT = 'tenet:stale-chunk-reload';
const RELOAD_GUARD_MS = 60_000;

/**
 * A tab opened before an upgrade asks for page chunks by their old hashed names, which the new build no longer has
 * ("Failed to fetch dynamically imported module"). The cure is the new index.html: reload once. A second failure
 * within the guard period is a real fault (the server is down, the chunk is broken), and the error boundary shows it
 * rather than the tab reloading in a loop.
 */
function reloadOnce(): boolean {
  try {
    const last = Number(sessionStorage.getItem(RELOADED_AT) ?? 0);
    if (Date.now() - last < RELOAD_GUARD_MS) return false;
    sessionStorage.setItem(RELOADED_AT, String(Date.now()));
  } catch {
    // No session storage (a locked-down browser): no guard, so no reload either.
    return false;
  }
  window.location.reload();
  return true;
}

/** React's `lazy` for a page, reloading the tab once when the page's chunk cannot be loaded (see reloadOnce). */
export function lazyPage<T extends ComponentType>(load: () => Promise<{ default: T }>): LazyExoticComponent<T> {
  return lazy(() =>
    load().catch((error: unknown) => {
      if (!reloadOnce()) throw error;
      // The page is going away: stay in the Suspense fallback until it does.
      return new Promise<never>(() => {});
    }),
  );
}
