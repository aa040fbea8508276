import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import v8 from 'node:v8';
import vm from 'node:vm';
import type * as CedarModule from '@cedar-policy/cedar-wasm/nodejs';
import { UnavailableError } from '../kernel/errors.ts';

/**
 * The deciding Cedar instance: every call this process makes into cedar-wasm on its main thread goes through here,
 * so a fault inside Cedar is seen, and the instance is replaced instead of poisoning every later decision.
 *
 * Why a fault poisons the instance: cedar-wasm is Rust compiled to WebAssembly. Rust keeps its own stack in the
 * instance's linear memory (a `__stack_pointer` global). When a call leaves the instance by an exception — a trap
 * (`memory access out of bounds`, `unreachable` from a panic) or V8's `Maximum call stack size exceeded` thrown
 * through wasm frames — no Rust code runs to restore that pointer or release what it held. Measured here: 100
 * nested parentheses overflowed V8's stack inside the parser once, and from then on every call, decisions
 * included, trapped with `memory access out of bounds` until the process restarted. So any exception out of
 * cedar-wasm (its API answers failures as values; it never throws on purpose) marks the instance broken.
 *
 * While broken, every call throws CedarUnavailableError (an HTTP 503: entity writes, policy changes; decisions
 * never call into Cedar). A fresh instance of the same compiled module is made on the next turn of the event loop
 * (compiled code is immutable; a trap damages only an instance's memory and globals); then it is healthy. Nothing
 * is carried over: the main thread keeps no state inside Cedar.
 *
 * Untrusted Cedar text (drafts, schemas from callers) is not parsed here first: it goes to the sandbox
 * (cedar-sandbox.ts), which runs it in another thread's instance. This watch is the second line of defence.
 */
// Node 20's V8 crashes ("Fatal error ... unreachable code" in Deoptimizer::DoComputeBuiltinContinuation) when
// an optimised function that inlined a JS→Wasm call into cedar-wasm is lazily deoptimised while the call is on
// the stack — which happens under load. Not inlining JS→Wasm calls avoids that frame shape; it costs nothing
// measurable next to the call itself. Set before any of our code is optimised.
v8.setFlagsFromString('--no-turbo-inline-js-wasm-calls');

export type CedarApi = typeof CedarModule;
export type * from '@cedar-policy/cedar-wasm/nodejs';

/** A call into Cedar was refused because the deciding instance is broken and being replaced (an HTTP 503). */
export class CedarUnavailableError extends UnavailableError {
  constructor(message = 'Cedar (parsing, validation) is being replaced after a fault; try again in a moment.') {
    super(message);
    this.name = 'CedarUnavailableError';
  }
}

/** A call trapped inside Cedar; the instance it ran in is being replaced. */
export class CedarFaultError extends CedarUnavailableError {
  constructor(readonly fault: string) {
    super(`Cedar faulted (${fault}); the evaluator is being replaced and decisions are denied until it is back.`);
    this.name = 'CedarFaultError';
  }
}

const require = createRequire(import.meta.url);
const gluePath = require.resolve('@cedar-policy/cedar-wasm/nodejs');
let compiled: WebAssembly.Module | undefined;
let glue: ((...args: unknown[]) => void) | undefined;

/**
 * A new, independent cedar-wasm instance: the package's own Node glue, evaluated again with `WebAssembly.Module`
 * answering the module compiled once (so a replacement costs an instantiation, 17–68 ms measured here under load,
 * not a 4 MB compilation).
 * The glue keeps its instance in module-level variables, which is why it is evaluated afresh rather than imported.
 */
export function loadCedarInstance(): CedarApi {
  glue ??= vm.compileFunction(readFileSync(gluePath, 'utf8'), ['exports', 'require', 'module', '__filename', '__dirname', 'WebAssembly'], {
    filename: gluePath,
  }) as (...args: unknown[]) => void;
  const wasm = Object.create(WebAssembly, {
    Module: {
      value: function Module(bytes: BufferSource) {
        compiled ??= new WebAssembly.Module(bytes);
        return compiled;
      },
    },
  });
  // Once compiled, the glue's read of the 4 MB .wasm file is answered with nothing: the bytes are not needed.
  const glueRequire = (id: string) => (id === 'fs' && compiled ? { readFileSync: () => new Uint8Array(0) } : require(id));
  const module = { exports: {} as CedarApi };
  glue(module.exports, glueRequire, module, gluePath, path.dirname(gluePath), wasm);
  return module.exports;
}

/**
 * How a thrown value out of cedar-wasm is described (logs, deny errors, /readyz): a trap's or a stack overflow's
 * message is V8's own fixed text; any other error's message may quote the input (serde errors do), so only its class.
 */
export function describeFault(error: unknown): string {
  if (error instanceof WebAssembly.RuntimeError || error instanceof RangeError) return `${error.constructor.name}: ${error.message.slice(0, 120)}`;
  if (error instanceof Error) return `${error.constructor?.name ?? 'Error'} (message withheld: it may quote the input)`;
  return typeof error;
}

type Listener = (event: { type: 'fault'; fault: string } | { type: 'replaced'; replacements: number } | { type: 'replace_failed'; error: string }) => void;

export class CedarRuntime {
  readonly name: string;
  private api: CedarApi;
  private load: () => CedarApi | Promise<CedarApi>;
  private readonly retryMs: number;
  private state: 'healthy' | 'replacing' = 'healthy';
  private replacing: Promise<void> | undefined;
  private count = 0;
  private faultCount = 0;
  private lastFault: string | undefined;
  private readonly listeners = new Set<Listener>();

  constructor(props: { name?: string; load?: () => CedarApi | Promise<CedarApi>; retryMs?: number } = {}) {
    this.name = props.name ?? 'deciding';
    this.load = props.load ?? loadCedarInstance;
    this.retryMs = props.retryMs ?? 1000;
    const first = this.load();
    if (first instanceof Promise) throw new Error('the first Cedar instance must load synchronously');
    this.api = first;
  }

  /** False from a fault until a replacement is ready: /readyz answers 503 and decisions deny meanwhile. */
  get healthy(): boolean {
    return this.state === 'healthy';
  }

  /** Instances replaced after a fault since the process started. */
  get replacements(): number {
    return this.count;
  }

  /** Faults seen since the process started (each one leads to a replacement). */
  get faults(): number {
    return this.faultCount;
  }

  /** The last fault seen (class and message only), for /readyz and logs. */
  get fault(): string | undefined {
    return this.lastFault;
  }

  /** Resolves when the instance is healthy (at once if it is). */
  async whenHealthy(): Promise<void> {
    while (this.replacing) await this.replacing;
  }

  /**
   * Replaces how replacement instances are loaded; answers a function that restores the previous loader. For tests
   * that must see the broken window (a loader that waits, or fails) on the process-wide instance.
   */
  useLoader(load: () => CedarApi | Promise<CedarApi>): () => void {
    const previous = this.load;
    this.load = load;
    return () => {
      this.load = previous;
    };
  }

  on(listener: Listener): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  /** Runs `fn` against the instance. A throw out of Cedar marks the instance broken and is rethrown as CedarFaultError. */
  run<T>(fn: (api: CedarApi) => T): T {
    if (this.state !== 'healthy') throw new CedarUnavailableError();
    try {
      return fn(this.api);
    } catch (error) {
      throw this.faulted(error);
    }
  }

  private emit(event: Parameters<Listener>[0]): void {
    for (const l of this.listeners) {
      try {
        l(event);
      } catch {
        /* a listener's failure must not stop the replacement */
      }
    }
  }

  private faulted(error: unknown): CedarFaultError {
    const fault = describeFault(error);
    if (this.state === 'healthy') {
      this.faultCount++;
      this.state = 'replacing';
      this.lastFault = fault;
      this.emit({ type: 'fault', fault });
      // Replaced on a later turn, never inside the call that trapped (it may be deep inside a batch or a table run).
      this.replacing = new Promise<void>((resolve) => setImmediate(resolve)).then(() => this.replace());
    }
    return new CedarFaultError(fault);
  }

  private async replace(): Promise<void> {
    for (;;) {
      try {
        this.api = await this.load();
        this.count++;
        this.state = 'healthy';
        this.replacing = undefined;
        this.emit({ type: 'replaced', replacements: this.count });
        return;
      } catch (error) {
        this.emit({ type: 'replace_failed', error: describeFault(error) });
        await new Promise((r) => setTimeout(r, this.retryMs).unref());
      }
    }
  }
}

/** The process's Cedar instance on the main thread: policy compilation (trusted text), validation, entity checks. */
export const decidingCedar = new CedarRuntime({ name: 'deciding' });

// The cedar-wasm functions this process calls on its main thread, guarded. Import this module as `cedar` where
// `@cedar-policy/cedar-wasm/nodejs` was imported: same names, same types.
export const isAuthorized: CedarApi['isAuthorized'] = (call) => decidingCedar.run((api) => api.isAuthorized(call));
export const checkParseEntities: CedarApi['checkParseEntities'] = (call) => decidingCedar.run((api) => api.checkParseEntities(call));
export const checkParseSchema: CedarApi['checkParseSchema'] = (schema) => decidingCedar.run((api) => api.checkParseSchema(schema));
export const validate: CedarApi['validate'] = (call) => decidingCedar.run((api) => api.validate(call));

/**
 * A text-to-JSON conversion, remembered for the last `limit` texts: the same policy text is read again and again
 * (a restart reads the shipped files and then the same active version; every replica's refresh reads it), and its
 * reading does not change. Each caller gets its own copy of the answer.
 */
function remembered<A>(limit: number, convert: (api: CedarApi, text: string) => A): (text: string) => A {
  const answers = new Map<string, A>();
  return (text) => {
    let answer = answers.get(text);
    if (answer === undefined) {
      answer = decidingCedar.run((api) => convert(api, text));
      answers.set(text, answer);
      if (answers.size > limit) answers.delete(answers.keys().next().value!);
    }
    return structuredClone(answer);
  };
}

export const policySetTextToParts: CedarApi['policySetTextToParts'] = remembered(8, (api, s) => api.policySetTextToParts(s));
// Texts only: a policy, template or schema given as JSON (an object) is converted anew each time.
const policyText = remembered(512, (api, p) => api.policyToJson(p));
const templateText = remembered(128, (api, t) => api.templateToJson(t));
const schemaText = remembered(8, (api, s) => api.schemaToJson(s));
export const policyToJson: CedarApi['policyToJson'] = (p) => (typeof p === 'string' ? policyText(p) : decidingCedar.run((api) => api.policyToJson(p)));
export const templateToJson: CedarApi['templateToJson'] = (t) => (typeof t === 'string' ? templateText(t) : decidingCedar.run((api) => api.templateToJson(t)));
export const schemaToJson: CedarApi['schemaToJson'] = (s) => (typeof s === 'string' ? schemaText(s) : decidingCedar.run((api) => api.schemaToJson(s)));
