// A real headless Chromium driven over the DevTools protocol (Node's own WebSocket), for the sign-in page.
import { type ChildProcess, spawn } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

export const CHROMIUM = ['/usr/bin/chromium', '/usr/bin/chromium-browser'].find((p) => existsSync(p));

export interface Browser {
  send(method: string, params?: Record<string, unknown>): Promise<Record<string, unknown>>;
  /** Resolves with the next event of this name (or rejects after timeoutMs). */
  next(event: string, timeoutMs?: number): Promise<Record<string, unknown>>;
  evaluate<T>(expression: string): Promise<T>;
  close(): Promise<void>;
}

export async function launchChromium(port: number): Promise<Browser> {
  if (!CHROMIUM) throw new Error('chromium is not installed (apt-get install chromium)');
  const profile = mkdtempSync(join(tmpdir(), 'airflow-mcp-chromium-'));
  const child: ChildProcess = spawn(
    CHROMIUM,
    [
      '--headless',
      '--no-sandbox',
      '--disable-gpu',
      '--disable-quic',
      '--no-first-run',
      '--disable-background-networking',
      '--disable-component-update',
      '--disable-sync',
      `--user-data-dir=${profile}`,
      `--remote-debugging-port=${port}`,
      '--remote-debugging-address=127.0.0.1',
      '--window-size=900,760',
      'about:blank',
    ],
    { stdio: 'ignore' },
  );
  const deadline = Date.now() + 20_000;
  let wsUrl: string | undefined;
  while (!wsUrl && Date.now() < deadline) {
    try {
      const list = (await (await fetch(`http://127.0.0.1:${port}/json/list`)).json()) as {
        type: string;
        webSocketDebuggerUrl: string;
      }[];
      wsUrl = list.find((t) => t.type === 'page')?.webSocketDebuggerUrl;
    } catch {
      await new Promise((r) => setTimeout(r, 200));
    }
  }
  if (!wsUrl) {
    child.kill('SIGKILL');
    throw new Error('chromium did not open its DevTools port');
  }
  const ws = new WebSocket(wsUrl);
  await new Promise<void>((resolve, reject) => {
    ws.addEventListener('open', () => resolve(), { once: true });
    ws.addEventListener('error', () => reject(new Error('DevTools connection failed')), { once: true });
  });
  let id = 0;
  const pending = new Map<number, (m: Record<string, unknown>) => void>();
  const waiters: { event: string; resolve: (p: Record<string, unknown>) => void }[] = [];
  ws.addEventListener('message', (e) => {
    const m = JSON.parse(String(e.data)) as {
      id?: number;
      method?: string;
      params?: Record<string, unknown>;
    };
    if (m.id !== undefined) pending.get(m.id)?.(m as Record<string, unknown>);
    else if (m.method) {
      const i = waiters.findIndex((w) => w.event === m.method);
      if (i >= 0) waiters.splice(i, 1)[0]!.resolve(m.params ?? {});
    }
  });
  const send = (method: string, params: Record<string, unknown> = {}) =>
    new Promise<Record<string, unknown>>((resolve, reject) => {
      const n = ++id;
      pending.set(n, (m) => {
        pending.delete(n);
        if (m.error) reject(new Error(`${method}: ${JSON.stringify(m.error)}`));
        else resolve((m.result ?? {}) as Record<string, unknown>);
      });
      ws.send(JSON.stringify({ id: n, method, params }));
    });
  return {
    send,
    next: (event, timeoutMs = 15_000) =>
      new Promise((resolve, reject) => {
        const timer = setTimeout(() => reject(new Error(`no ${event} within ${timeoutMs} ms`)), timeoutMs);
        waiters.push({
          event,
          resolve: (p) => {
            clearTimeout(timer);
            resolve(p);
          },
        });
      }),
    async evaluate<T>(expression: string) {
      const r = (await send('Runtime.evaluate', { expression, returnByValue: true, awaitPromise: true })) as {
        result: { value: T };
      };
      return r.result.value;
    },
    async close() {
      ws.close();
      child.kill('SIGTERM');
      await new Promise((r) => child.once('exit', r));
      rmSync(profile, { recursive: true, force: true });
    },
  };
}
