// The Cedar sandbox's worker (see cedar-sandbox.ts): its own cedar-wasm instance, for caller-supplied Cedar text.
// It runs a list of cedar-wasm calls and answers their results. A call that throws (a trap, a stack overflow)
// leaves this instance unusable (cedar-runtime.ts says why), so the worker answers `fault` and refuses anything
// after; the sandbox then replaces the whole thread.
// Plain JavaScript on purpose: worker threads do not inherit the TypeScript loader.
import { createRequire } from 'node:module';
import { parentPort } from 'node:worker_threads';

const require = createRequire(import.meta.url);
const cedar = require('@cedar-policy/cedar-wasm/nodejs');
let faulted = false;

parentPort.on('message', (msg) => {
  const { id, calls } = msg ?? {};
  if (faulted) {
    parentPort.postMessage({ id, fault: 'this sandbox instance already faulted' });
    return;
  }
  const results = [];
  for (const call of Array.isArray(calls) ? calls : []) {
    const fn = typeof call?.fn === 'string' && Object.hasOwn(cedar, call.fn) ? cedar[call.fn] : undefined;
    if (typeof fn !== 'function') {
      parentPort.postMessage({ id, error: `unknown cedar function ${String(call?.fn).slice(0, 60)}` });
      return;
    }
    try {
      results.push(fn(...(Array.isArray(call.args) ? call.args : [])));
    } catch (error) {
      faulted = true;
      // A trap's or a stack overflow's message is V8's own text; another error's may quote the input: class only.
      const fault =
        error instanceof WebAssembly.RuntimeError || error instanceof RangeError
          ? `${error.constructor.name}: ${error.message.slice(0, 120)}`
          : `${error?.constructor?.name ?? typeof error} (message withheld: it may quote the input)`;
      parentPort.postMessage({ id, fault, at: call.fn });
      return;
    }
  }
  parentPort.postMessage({ id, results });
});
parentPort.postMessage({ ready: true });
