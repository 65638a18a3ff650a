// The sign-in page: one self-contained HTML document (no external assets) and the headers that lock it down.
import { randomBytes } from 'node:crypto';

export interface LoginPageView {
  clientName: string;
  /** Where the client is known from: its metadata URL's host, or "registered with this service". */
  clientSource: string;
  redirectTo: string;
  /** The sealed authorization request, posted back with the form. */
  request: string;
  error?: string;
  username?: string;
}

const ESCAPES: Record<string, string> = {
  '&': '&amp;',
  '<': '&lt;',
  '>': '&gt;',
  '"': '&quot;',
  "'": '&#39;',
};

export function escapeHtml(s: string): string {
  return s.replace(/[&<>"']/g, (c) => ESCAPES[c]!);
}

/** Headers for every page this service renders for a browser. */
export function pageHeaders(formTarget: string | undefined, nonce: string): Record<string, string> {
  // form-action also governs the redirect after the POST, so the client's redirect origin is allowed too.
  const formAction = formTarget ? `'self' ${formTarget}` : `'self'`;
  return {
    'content-type': 'text/html; charset=utf-8',
    'content-security-policy': `default-src 'none'; style-src 'nonce-${nonce}'; form-action ${formAction}; frame-ancestors 'none'; base-uri 'none'`,
    'x-frame-options': 'DENY',
    'x-content-type-options': 'nosniff',
    // same-origin, not no-referrer: with no-referrer browsers send "Origin: null" on the form post.
    'referrer-policy': 'same-origin',
    'cache-control': 'no-store',
  };
}

const STYLE = `body{font:16px/1.5 system-ui,sans-serif;background:#f4f6f8;margin:0;color:#1c2630}
main{max-width:26rem;margin:8vh auto;background:#fff;border-radius:8px;padding:2rem;box-shadow:0 1px 4px #0002}
h1{font-size:1.3rem;margin:0 0 1rem}p{margin:.5rem 0}.who{font-weight:600}.to{word-break:break-all;font-family:monospace;font-size:.9rem}
label{display:block;margin-top:1rem;font-weight:600}input{width:100%;box-sizing:border-box;padding:.5rem;margin-top:.25rem;font-size:1rem}
button{margin-top:1.5rem;width:100%;padding:.6rem;font-size:1rem;background:#017cee;color:#fff;border:0;border-radius:4px}
.error{background:#fdecea;color:#8a1c12;padding:.5rem .75rem;border-radius:4px}.note{color:#5a6670;font-size:.85rem}`;

export function renderLoginPage(v: LoginPageView): { html: string; nonce: string } {
  const nonce = randomBytes(16).toString('base64url');
  const error = v.error ? `<p class="error" role="alert">${escapeHtml(v.error)}</p>` : '';
  const html = `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width,initial-scale=1">
<title>Sign in to Airflow</title><style nonce="${nonce}">${STYLE}</style></head>
<body><main>
<h1>Sign in to Airflow</h1>
<p><span class="who">${escapeHtml(v.clientName)}</span> (${escapeHtml(v.clientSource)}) asks to use Airflow with your account.</p>
<p>After you sign in you will be sent back to:</p><p class="to">${escapeHtml(v.redirectTo)}</p>
${error}
<form method="post" action="/authorize">
<input type="hidden" name="request" value="${escapeHtml(v.request)}">
<label for="username">Airflow user name</label>
<input id="username" name="username" autocomplete="username" required value="${escapeHtml(v.username ?? '')}">
<label for="password">Password</label>
<input id="password" name="password" type="password" autocomplete="current-password" required>
<button type="submit">Sign in</button>
</form>
<p class="note">Your password goes to Airflow only, to sign you in; it is not stored.</p>
</main></body></html>`;
  return { html, nonce };
}

export function renderErrorPage(title: string, message: string): { html: string; nonce: string } {
  const nonce = randomBytes(16).toString('base64url');
  const html = `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>${escapeHtml(title)}</title><style nonce="${nonce}">${STYLE}</style></head>
<body><main><h1>${escapeHtml(title)}</h1><p>${escapeHtml(message)}</p></main></body></html>`;
  return { html, nonce };
}
