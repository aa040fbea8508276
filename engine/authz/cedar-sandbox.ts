import { Worker } from 'node:worker_threads';
import type { CedarApi } from './cedar-runtime.ts';

/**
 * The Cedar sandbox: a worker thread with its own cedar-wasm instance, where caller-supplied Cedar text (draft
 * policies, schemas) is parsed and validated — never in the deciding instance (cedar-runtime.ts). Text that
 * faults Cedar (100 nested parentheses overflow its parser's stack) then breaks only this thread, which is
 * replaced; decisions go on.
 *
 * Each call has a timeout (the thread is terminated and replaced when it passes), inputs have a size cap, and
 * calls wait in a bounded queue (one thread, one call at a time: an attacker's drafts cannot take both cores).
 * The thread gets a smaller stack than the deciding thread (see sandboxStackSizeMb), so text accepted here does
 * not overflow the deciding instance when it is compiled there at activation.
 */

export type CedarFunction = {
  [K in keyof CedarApi]: CedarApi[K] extends (...args: never[]) => unknown ? K : never;
}[keyof CedarApi];
export interface CedarCall<F extends CedarFunction = CedarFunction> {
  fn: F;
  args: Parameters<CedarApi[F]>;
}

export type SandboxFailure = 'fault' | 'timeout' | 'crash' | 'too_large' | 'busy' | 'closed';

/** The sandbox could not answer: the text faulted Cedar, took too long, was too large, or the sandbox is busy. */
export class CedarSandboxError extends Error {
  constructor(
    readonly kind: SandboxFailure,
    message: string,
  ) {
    super(message);
    this.name = 'CedarSandboxError';
  }
}

/** V8's stack limit on the main (deciding) thread, in KB: its default, or `--stack-size` when the process has one. */
export function mainThreadStackKb(flags: string[] = [...process.execArgv, ...(process.env.NODE_OPTIONS ?? '').split(/\s+/)]): number {
  for (const f of flags) {
    const m = /^--stack-size=(\d+)$/.exec(f);
    if (m) return Number(m[1]);
  }
  return 984; // V8's default --stack-size on 64-bit
}

/** Node keeps this much of a worker's `stackSizeMb` back from V8 (kStackBufferSize in node_worker.cc). */
const WORKER_STACK_RESERVE_KB = 192;

/**
 * The sandbox thread's `resourceLimits.stackSizeMb`: V8 gets a third of the deciding thread's stack.
 *
 * Why smaller, and why a third: Cedar's parser, validator and evaluator recurse on the native stack as deep as
 * the text nests, so whether a text overflows depends on the stack it runs on. The worker default (4 MB) is four
 * times the main thread's 984 KB: text this sandbox accepted would then overflow (and, before cedar-runtime.ts,
 * poison) the deciding instance when activated there. Equal is not enough either: measured here, one nesting level
 * of Cedar's parser costs ~13 KB of stack in V8's baseline (Liftoff) code and ~4 KB once optimised (TurboFan);
 * the sandbox's code may be optimised while the deciding thread's parser, rarely run, is not, and the deciding
 * thread calls Cedar with an HTTP request's frames already on its stack. A third covers both. Shipped policies
 * nest a few levels; the sandbox accepts 22 levels of parentheses (cedar-sandbox.test.ts finds and prints the
 * limit, then compiles and decides with that text on the deciding thread under 2,000 extra frames), and long
 * `&&`/`||` chains of `has` tests (1,000 terms) are fine.
 */
export function sandboxStackSizeMb(mainKb = mainThreadStackKb()): number {
  return (mainKb / 3 + WORKER_STACK_RESERVE_KB) / 1024;
}

/** A worker's late 'error' (after we stopped listening) must not become an uncaught exception. */
const ignore = () => {};

interface Pending {
  id: number;
  calls: CedarCall[];
  resolve: (results: unknown[]) => void;
  reject: (error: Error) => void;
}

interface Answer {
  id?: number;
  ready?: boolean;
  results?: unknown[];
  fault?: string;
  at?: string;
  error?: string;
}

export class CedarSandbox {
  private readonly timeoutMs: number;
  private readonly startTimeoutMs: number;
  private readonly maxInputBytes: number;
  private readonly maxQueue: number;
  private readonly stackSizeMb: number;
  private readonly maxHeapMb: number;
  private worker: Worker | undefined;
  private starting: Promise<Worker> | undefined;
  private readonly queue: Pending[] = [];
  private busy = false;
  private nextId = 1;
  private replaced = 0;
  private closed = false;

  constructor(
    props: {
      /** Per call, from the moment a ready thread has it. Default 15 s (the shipped platform set takes ~0.3 s; ~5 s on this machine under load). */
      timeoutMs?: number;
      /** For a thread to load cedar-wasm. Default 30 s. */
      startTimeoutMs?: number;
      /** All of a call's text together (UTF-8 JSON of its arguments). Default 4 MiB: two 1 MB-character texts. */
      maxInputBytes?: number;
      /** Calls waiting for the thread; more are refused as busy. Default 16. */
      maxQueue?: number;
      stackSizeMb?: number;
      /** The thread's JavaScript heap (Cedar's own memory is WebAssembly, outside it). Default 256 MB. */
      maxHeapMb?: number;
    } = {},
  ) {
    this.timeoutMs = props.timeoutMs ?? 15_000;
    this.startTimeoutMs = props.startTimeoutMs ?? 30_000;
    this.maxInputBytes = props.maxInputBytes ?? 4 * 1024 * 1024;
    this.maxQueue = props.maxQueue ?? 16;
    this.stackSizeMb = props.stackSizeMb ?? sandboxStackSizeMb();
    this.maxHeapMb = props.maxHeapMb ?? 256;
  }

  /** Threads replaced after a fault, a timeout or a crash since this sandbox started. */
  get replacements(): number {
    return this.replaced;
  }

  /** Runs cedar-wasm calls, in order, in the sandbox; answers their results. Throws CedarSandboxError. */
  run(calls: CedarCall[]): Promise<unknown[]> {
    if (this.closed) return Promise.reject(new CedarSandboxError('closed', 'The Cedar sandbox is closed.'));
    const bytes = Buffer.byteLength(JSON.stringify(calls.map((c) => c.args)));
    if (bytes > this.maxInputBytes) {
      return Promise.reject(new CedarSandboxError('too_large', `The Cedar text is too large for validation (${bytes} bytes; at most ${this.maxInputBytes}).`));
    }
    if (this.queue.length >= this.maxQueue) {
      return Promise.reject(new CedarSandboxError('busy', 'The Cedar sandbox is busy with other validations; try again shortly.'));
    }
    return new Promise((resolve, reject) => {
      this.queue.push({ id: this.nextId++, calls, resolve, reject });
      void this.drain();
    });
  }

  /** One call, typed. */
  async call<F extends CedarFunction>(fn: F, ...args: Parameters<CedarApi[F]>): Promise<ReturnType<CedarApi[F]>> {
    const [result] = await this.run([{ fn, args } as CedarCall]);
    return result as ReturnType<CedarApi[F]>;
  }

  async close(): Promise<void> {
    this.closed = true;
    for (const p of this.queue.splice(0)) p.reject(new CedarSandboxError('closed', 'The Cedar sandbox is closed.'));
    const w = this.worker ?? (await this.starting?.catch(() => undefined));
    this.worker = undefined;
    await w?.terminate();
  }

  private async drain(): Promise<void> {
    if (this.busy) return;
    this.busy = true;
    try {
      for (let next = this.queue.shift(); next; next = this.queue.shift()) await this.execute(next);
    } finally {
      this.busy = false;
    }
  }

  private start(): Promise<Worker> {
    if (this.worker) return Promise.resolve(this.worker);
    this.starting ??= new Promise<Worker>((resolve, reject) => {
      const worker = new Worker(new URL('./cedar-sandbox-worker.mjs', import.meta.url), {
        resourceLimits: { stackSizeMb: this.stackSizeMb, maxOldGenerationSizeMb: this.maxHeapMb },
      });
      // Never keeps the process alive. (Only our own listeners are ever removed: Worker keeps internal ones.)
      worker.unref();
      worker.on('error', ignore);
      const off = () => {
        clearTimeout(timer);
        worker.off('message', onReady);
        worker.off('error', onError);
        worker.off('exit', onExit);
      };
      const fail = (error: Error) => {
        off();
        void worker.terminate();
        reject(error);
      };
      const onReady = (m: Answer) => {
        if (!m?.ready) return fail(new CedarSandboxError('crash', 'The Cedar sandbox did not start.'));
        off();
        this.worker = worker;
        resolve(worker);
      };
      const onError = (e: Error) => fail(new CedarSandboxError('crash', `The Cedar sandbox did not start: ${e.message.slice(0, 200)}`));
      const onExit = () => fail(new CedarSandboxError('crash', 'The Cedar sandbox exited while starting.'));
      const timer = setTimeout(() => fail(new CedarSandboxError('crash', 'The Cedar sandbox did not start in time.')), this.startTimeoutMs);
      worker.on('message', onReady);
      worker.once('error', onError);
      worker.once('exit', onExit);
    }).finally(() => {
      this.starting = undefined;
    });
    return this.starting;
  }

  /**
   * Drops the thread (after a fault, a timeout or a crash) and starts its replacement at once, so the next caller
   * does not wait for a thread to load cedar-wasm (~0.3 s, more on a busy machine).
   */
  private discard(worker: Worker): void {
    if (this.worker === worker) this.worker = undefined;
    this.replaced++;
    void worker.terminate();
    if (!this.closed) this.start().catch(() => undefined);
  }

  private async execute(p: Pending): Promise<void> {
    let worker: Worker;
    try {
      worker = await this.start();
    } catch (error) {
      p.reject(error as Error);
      return;
    }
    await new Promise<void>((done) => {
      const finish = (f: () => void) => {
        clearTimeout(timer);
        worker.off('message', onMessage);
        worker.off('error', onError);
        worker.off('exit', onExit);
        f();
        done();
      };
      const timer = setTimeout(
        () =>
          finish(() => {
            this.discard(worker);
            p.reject(new CedarSandboxError('timeout', `Cedar took longer than ${this.timeoutMs} ms on this text; stopped.`));
          }),
        this.timeoutMs,
      );
      const onMessage = (m: Answer) => {
        if (m?.id !== p.id) return;
        finish(() => {
          if (m.fault) {
            this.discard(worker);
            p.reject(
              new CedarSandboxError(
                'fault',
                `Cedar faulted on this text (${m.fault}${m.at ? ` in ${m.at}` : ''}): it nests too deeply or is otherwise beyond what Cedar can process.`,
              ),
            );
          } else if (m.error) p.reject(new CedarSandboxError('crash', m.error));
          else p.resolve(m.results ?? []);
        });
      };
      const onError = (e: Error) =>
        finish(() => {
          this.discard(worker);
          p.reject(new CedarSandboxError('crash', `The Cedar sandbox failed on this text: ${e.message.slice(0, 200)}`));
        });
      const onExit = () =>
        finish(() => {
          this.discard(worker);
          p.reject(new CedarSandboxError('crash', 'The Cedar sandbox exited on this text.'));
        });
      worker.on('message', onMessage);
      worker.once('error', onError);
      worker.once('exit', onExit);
      worker.postMessage({ id: p.id, calls: p.calls });
    });
  }
}
