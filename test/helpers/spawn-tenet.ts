import { spawn, type ChildProcess } from 'node:child_process';
import { createInterface } from 'node:readline';

const bin = new URL('../../engine/bin/tenet.mjs', import.meta.url).pathname;

/**
 * Starts `tenet <args>` as its own process and resolves once it logs "tenet listening", with its URL.
 * stdout is read for that line; stderr is inherited unless `stderr: 'pipe'`.
 */
export async function spawnTenet(props: {
  args: string[];
  env: Record<string, string | undefined>;
  nodeFlags?: string[];
  stderr?: 'inherit' | 'pipe';
  timeoutMs?: number;
  /** Called with the process as soon as it is spawned, before it listens (e.g. to kill it during start-up). */
  onSpawn?: (child: ChildProcess) => void;
}): Promise<{ url: string; child: ChildProcess; exited: Promise<number | null> }> {
  const child = spawn(process.execPath, [...(props.nodeFlags ?? []), bin, ...props.args], {
    env: props.env as NodeJS.ProcessEnv,
    stdio: ['ignore', 'pipe', props.stderr ?? 'inherit'],
  });
  props.onSpawn?.(child);
  const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
  const url = await new Promise<string>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error('tenet did not start in time')), props.timeoutMs ?? 60_000);
    exited.then((code) => reject(new Error(`tenet exited with ${code} before listening`)));
    createInterface({ input: child.stdout! }).on('line', (line) => {
      try {
        const o = JSON.parse(line) as { msg?: string; url?: string };
        if (o.msg === 'tenet listening' && o.url) {
          clearTimeout(timer);
          resolve(o.url);
        }
      } catch {
        /* not a log line (the demo banner) */
      }
    });
  });
  return { url, child, exited };
}
