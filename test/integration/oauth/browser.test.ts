// The sign-in page in a real headless Chromium: it renders under its CSP, signs in and redirects back.
// SAVE_SCREENSHOT=<path> keeps the page's screenshot (docs/images/oauth-sign-in.png was made that way).
import { writeFileSync } from 'node:fs';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type Simulator, startSimulator } from '../../../src/sim/index.js';
import { CHROMIUM, launchChromium } from '../../helpers/chromium.js';
import { freePort, newKey, writeKeysFile } from '../../helpers/oauth.js';
import { initialize, rawPost } from '../../helpers/raw-mcp.js';
import { startTestService, type TestService } from '../../helpers/service.js';
import { authorizeUrl, pkcePair } from './support.js';

let sim: Simulator;
let svc: TestService;
let publicUrl: string;

beforeAll(async () => {
  sim = await startSimulator({ auth: 'enforced' });
  const port = await freePort();
  publicUrl = `http://127.0.0.1:${port}`;
  svc = await startTestService({
    airflowUrl: sim.url,
    env: {
      PORT: String(port),
      AIRFLOW_AUTH_MODE: 'oauth',
      MCP_PUBLIC_URL: publicUrl,
      MCP_OAUTH_KEYS_FILE: writeKeysFile([`k1 ${newKey()}`]),
    },
  });
});
afterAll(async () => {
  await svc?.close();
  await sim?.close();
});

describe.skipIf(!CHROMIUM && !process.env.CI)('sign-in in headless Chromium', () => {
  it('renders the page with its styles under the CSP, signs in and lands on the redirect URI', async () => {
    const arrived: URL[] = [];
    const callback = createServer((req, res) => {
      arrived.push(new URL(req.url ?? '/', 'http://127.0.0.1'));
      res.writeHead(200, { 'content-type': 'text/html' }).end('<p>Signed in. You can close this window.</p>');
    });
    await new Promise<void>((r) => callback.listen(0, '127.0.0.1', r));
    const redirectUri = `http://127.0.0.1:${(callback.address() as AddressInfo).port}/callback`;
    const reg = await fetch(`${publicUrl}/register`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ client_name: 'Claude Code', redirect_uris: [redirectUri] }),
    });
    const { client_id: clientId } = (await reg.json()) as { client_id: string };
    const pkce = pkcePair();
    const url = authorizeUrl(publicUrl, {
      response_type: 'code',
      client_id: clientId,
      redirect_uri: redirectUri,
      code_challenge: pkce.challenge,
      code_challenge_method: 'S256',
      state: 'browser-state',
    });

    const browser = await launchChromium(await freePort());
    try {
      await browser.send('Page.enable');
      await browser.send('Runtime.enable');
      const loaded = browser.next('Page.loadEventFired');
      await browser.send('Page.navigate', { url });
      await loaded;
      expect(await browser.evaluate<string>('document.title')).toBe('Sign in to Airflow');
      expect(await browser.evaluate<string>('document.querySelector("main").innerText')).toContain(
        'Claude Code',
      );
      // The nonce'd stylesheet applied: the CSP lets the page's own style in and nothing else.
      expect(await browser.evaluate<string>('getComputedStyle(document.body).backgroundColor')).toBe(
        'rgb(244, 246, 248)',
      );
      const shot = (await browser.send('Page.captureScreenshot', { format: 'png' })) as { data: string };
      expect(shot.data.length).toBeGreaterThan(1000);
      if (process.env.SAVE_SCREENSHOT)
        writeFileSync(process.env.SAVE_SCREENSHOT, Buffer.from(shot.data, 'base64'));

      const back = browser.next('Page.loadEventFired');
      await browser.evaluate(`(() => {
        document.querySelector('#username').value = 'admin';
        document.querySelector('#password').value = 'admin';
        document.querySelector('button').click();
        return true;
      })()`);
      await back;
      // The page the browser ended on, without its query (the code stays out of failure messages).
      const where = await browser.evaluate<string>('location.origin + location.pathname');
      const landings = arrived.filter((u) => u.pathname === '/callback');
      expect(landings, where).toHaveLength(1);
      const landed = landings[0]!;
      expect(landed.searchParams.get('state')).toBe('browser-state');
      const code = landed.searchParams.get('code')!;
      const tokenRes = await fetch(`${publicUrl}/token`, {
        method: 'POST',
        headers: { 'content-type': 'application/x-www-form-urlencoded' },
        body: new URLSearchParams({
          grant_type: 'authorization_code',
          code,
          client_id: clientId,
          redirect_uri: redirectUri,
          code_verifier: pkce.verifier,
        }),
      });
      expect(tokenRes.status).toBe(200);
      const { access_token: token } = (await tokenRes.json()) as { access_token: string };
      expect((await rawPost(svc.url, initialize(1), { authorization: `Bearer ${token}` })).status).toBe(200);
    } finally {
      await browser.close();
      callback.close();
    }
  });
});
