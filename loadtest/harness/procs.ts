// Child processes the harness starts: spawn, wait for a line or a URL, stop by pid, and clean up on any exit.
import { type ChildProcess, spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { resolve } from 'node:path';
import { request } from 'undici';

export const ROOT = resolve(import.meta.dirname, '..', '..');
/** Node 24 from the `node` devDependency: the system node may be older. */
export const NODE = existsSync(resolve(ROOT, 'node_modules/.bin/node'))
  ? resolve(ROOT, 'node_modules/.bin/node')
  : process.execPath;
export const TSX = resolve(ROOT, 'node_modules/.bin/tsx');

export interface Child {
  name: string;
  proc: ChildProcess;
  /** Last lines of stderr and stdout, for failure reports. */
  tail: string[];
  exited: Promise<number | null>;
}

const children = new Set<Child>();
const cleanups: (() => void | Promise<void>)[] = [];

export function sleep(ms: number): Promise<void> {
  return new Promise((r) => setTimeout(r, ms));
}

/** Starts a child in its own process group so a stop reaches everything it spawned. */
export function startChild(
  name: string,
  command: string,
  args: string[],
  options: { env?: Record<string, string>; cwd?: string; quietStdout?: boolean } = {},
): Child {
  const proc = spawn(command, args, {
    cwd: options.cwd ?? ROOT,
    env: { ...process.env, ...options.env },
    // quietStdout: per-request access logs go to /dev/null instead of this process's event loop.
    stdio: ['ignore', options.quietStdout ? 'ignore' : 'pipe', 'pipe'],
    detached: true,
  });
  const tail: string[] = [];
  const keep = (chunk: Buffer) => {
    for (const line of chunk.toString().split('\n')) {
      if (line.trim() === '') continue;
      tail.push(line);
      if (tail.length > 40) tail.shift();
    }
  };
  proc.stdout?.on('data', keep);
  proc.stderr?.on('data', keep);
  const exited = new Promise<number | null>((done) => {
    proc.once('exit', (code, signal) => done(code ?? (signal ? 128 : null)));
    proc.once('error', (error) => {
      tail.push(`spawn error: ${error.message}`);
      done(null);
    });
  });
  const child: Child = { name, proc, tail, exited };
  children.add(child);
  exited.then(() => children.delete(child));
  return child;
}

/** A child's last output for a failure report, with tokens (JWTs the simulator prints) blanked. */
function tailForReport(child: Child): string {
  return child.tail.join(' | ').replace(/eyJ[\w-]+\.[\w-]+\.[\w-]+/g, '[jwt]');
}

/**
 * Resolves with the first stdout line that parses as JSON (the simulator and fixtures print one). Call it
 * right after starting the child: output printed before the call is not seen.
 */
export function firstJsonLine<T>(child: Child, timeoutMs: number): Promise<T> {
  return new Promise((done, fail) => {
    let buffer = '';
    const timer = setTimeout(() => {
      fail(new Error(`${child.name}: no JSON line within ${timeoutMs} ms: ${tailForReport(child)}`));
    }, timeoutMs);
    const onData = (chunk: Buffer) => {
      buffer += chunk.toString();
      for (const line of buffer.split('\n')) {
        if (!line.trim().startsWith('{')) continue;
        try {
          const value = JSON.parse(line) as T;
          clearTimeout(timer);
          child.proc.stdout?.off('data', onData);
          done(value);
          return;
        } catch {
          // Incomplete line: wait for more output.
        }
      }
    };
    child.proc.stdout?.on('data', onData);
    child.exited.then((code) => {
      clearTimeout(timer);
      fail(new Error(`${child.name} exited (${code}) before printing JSON: ${tailForReport(child)}`));
    });
  });
}

/** Polls `url` until it answers 200, the child exits, or the deadline passes. Returns ms waited. */
export async function waitForOk(url: string, timeoutMs: number, child?: Child): Promise<number> {
  const start = performance.now();
  let dead = false;
  child?.exited.then(() => {
    dead = true;
  });
  while (performance.now() - start < timeoutMs) {
    if (dead)
      throw new Error(`${child?.name} exited while waiting for ${url}: ${child ? tailForReport(child) : ''}`);
    try {
      const res = await request(url, { headersTimeout: 1000, bodyTimeout: 1000, reset: true });
      await res.body.dump();
      if (res.statusCode === 200) return performance.now() - start;
    } catch {
      // Not listening yet.
    }
    await sleep(10);
  }
  throw new Error(`${url} not ready within ${timeoutMs} ms ${child ? tailForReport(child) : ''}`);
}

/** SIGTERM to the child's process group, then SIGKILL after `graceMs`. Resolves with the exit code. */
export async function stopChild(child: Child, graceMs = 5000): Promise<number | null> {
  const pid = child.proc.pid;
  if (pid === undefined || child.proc.exitCode !== null || child.proc.signalCode !== null) {
    return child.exited;
  }
  const signal = (sig: NodeJS.Signals) => {
    try {
      process.kill(-pid, sig);
    } catch {
      try {
        child.proc.kill(sig);
      } catch {
        // Already gone.
      }
    }
  };
  signal('SIGTERM');
  const timer = setTimeout(() => signal('SIGKILL'), graceMs);
  const code = await child.exited;
  clearTimeout(timer);
  return code;
}

/** Registers a cleanup step (namespaces, iptables rules, temp dirs); run in reverse order at exit. */
export function onCleanup(step: () => void | Promise<void>): void {
  cleanups.push(step);
}

let cleaning: Promise<void> | undefined;

/** Stops every child still running and runs the cleanup steps. Safe to call more than once. */
export function cleanupAll(): Promise<void> {
  cleaning ??= (async () => {
    await Promise.all([...children].map((c) => stopChild(c, 3000)));
    for (const step of cleanups.reverse()) {
      try {
        await step();
      } catch (error) {
        process.stderr.write(`cleanup step failed: ${(error as Error).message}\n`);
      }
    }
  })();
  return cleaning;
}

/** Makes Ctrl-C, SIGTERM and crashes still clean up before the process ends. */
export function installExitHandlers(): void {
  const bail = (code: number) => {
    cleanupAll().finally(() => process.exit(code));
  };
  process.once('SIGINT', () => bail(130));
  process.once('SIGTERM', () => bail(143));
  process.once('uncaughtException', (error) => {
    process.stderr.write(`fatal: ${error.stack ?? error.message}\n`);
    bail(1);
  });
}
