// Starts the scan worker from the TypeScript sources (tenet running from source, or the tests): a worker thread
// does not inherit the tsx loader its parent registered. The build runs dist/scan-logs-worker.js instead.
const { register } = await import('tsx/esm/api');
register();
await import('./scan-logs-worker.ts');
