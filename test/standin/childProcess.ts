import { type ChildProcessWithoutNullStreams, spawn } from 'node:child_process';
import path from 'node:path';
import readline from 'node:readline';
import type { Json } from './world/types';

const TSX_CLI = require.resolve('tsx/cli');
const ROOT = path.resolve(__dirname, '../..');

/** A TypeScript file run with tsx under this Node, and a reader of the JSON lines it prints. */
export interface TsxChild {
  child: ChildProcessWithoutNullStreams;
  /** Resolves with the first JSON line (printed so far or later) that matches. */
  next: (predicate: (line: Json) => boolean, timeoutMs?: number) => Promise<Json>;
}

/** Starts `file` (relative to this folder) in its own process, with `env` added to this one's. */
export function runTsx(file: string, env: Record<string, string> = {}): TsxChild {
  const child = spawn(process.execPath, [TSX_CLI, path.join(__dirname, file)], {
    cwd: ROOT,
    env: { ...process.env, ...env },
  });
  const lines: Json[] = [];
  const waiters: (() => void)[] = [];
  readline.createInterface({ input: child.stdout }).on('line', (line) => {
    try {
      lines.push(JSON.parse(line) as Json);
    } catch {
      return;
    }
    waiters.splice(0).forEach((wake) => wake());
  });
  let stderr = '';
  child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
  const next = (predicate: (line: Json) => boolean, timeoutMs = 20_000): Promise<Json> =>
    new Promise((resolve, reject) => {
      const timer = setTimeout(
        () => reject(new Error(`${file}: no matching line in ${timeoutMs} ms; stderr: ${stderr.slice(-2000)}`)),
        timeoutMs,
      );
      const check = (): void => {
        const found = lines.find(predicate);
        if (found) {
          clearTimeout(timer);
          resolve(found);
        } else waiters.push(check);
      };
      check();
    });
  return { child, next };
}

/** Stops a child with SIGTERM and waits for it to exit. */
export async function stopChild(child: ChildProcessWithoutNullStreams | undefined): Promise<void> {
  if (!child || child.exitCode !== null) return;
  const exited = new Promise((resolve) => child.once('exit', resolve));
  child.kill('SIGTERM');
  await exited;
}
