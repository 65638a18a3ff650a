// Every secret can come from a file (<ENV>_FILE or --<flag>-file), and --help says flags are for non-secrets.
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { buildCli, flagName, loadSettings } from '../../../src/config/load-settings.js';
import { SETTINGS, type SettingKey, secretFileVariants } from '../../../src/config/settings.js';

const dir = mkdtempSync(join(tmpdir(), 'airflow-mcp-secrets-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

function secretFile(name: string, content: string): string {
  const path = join(dir, name);
  writeFileSync(path, content, { mode: 0o600 });
  return path;
}

const load = (env: Record<string, string>, argv: string[] = []) => loadSettings(argv, env, 'test');
const VALUE = 'from-a-file-0123456789-abcdef';

describe('secrets from files', () => {
  it('covers every secret setting (an explicit <ENV>_FILE setting counts)', () => {
    const secrets = Object.values(SETTINGS)
      .filter((spec) => 'secret' in spec)
      .map((spec) => spec.env);
    const envs = new Set(Object.values(SETTINGS).map((spec) => spec.env as string));
    const derived = new Set(secretFileVariants().map((v) => v.env));
    expect(secrets).toEqual(
      expect.arrayContaining(['AIRFLOW_AUTH_TOKEN', 'AIRFLOW_PASSWORD', 'AIRFLOW_JWT_SECRET']),
    );
    for (const env of secrets) expect(derived.has(env) || envs.has(`${env}_FILE`), env).toBe(true);
    expect(secretFileVariants().map((v) => v.fileEnv)).toEqual(
      expect.arrayContaining(['AIRFLOW_AUTH_TOKEN_FILE', 'AIRFLOW_PASSWORD_FILE', 'AIRFLOW_JWT_SECRET_FILE']),
    );
  });

  it.each(secretFileVariants())(
    '$fileEnv (env) and its flag give $env the file’s content',
    ({ key, fileEnv }) => {
      const path = secretFile(`${fileEnv}.txt`, `${VALUE}\n`);
      const fromEnv = load({ [fileEnv]: path });
      const fromFlag = load({}, [flagName(fileEnv), path]);
      const expected = key === 'mcpApiKeys' ? [VALUE] : VALUE;
      expect(fromEnv[key as SettingKey]).toEqual(expected);
      expect(fromFlag[key as SettingKey]).toEqual(expected);
    },
  );

  it('keeps the content exactly apart from one trailing newline (CRLF too)', () => {
    const path = secretFile('crlf.txt', ` spaced ${VALUE} \r\n`);
    expect(load({ AIRFLOW_AUTH_TOKEN_FILE: path }).airflowAuthToken).toBe(` spaced ${VALUE} `);
  });

  it('token mode works with the token only in a file', () => {
    const path = secretFile('token.txt', VALUE);
    const s = load({ AIRFLOW_AUTH_MODE: 'token', AIRFLOW_AUTH_TOKEN_FILE: path, HOST: '127.0.0.1' });
    expect(s.airflowAuthToken).toBe(VALUE);
  });

  it.each([
    [
      { AIRFLOW_AUTH_TOKEN_FILE: '/nonexistent/airflow-mcp/token' },
      /^Invalid AIRFLOW_AUTH_TOKEN_FILE: cannot read \/nonexistent\/airflow-mcp\/token \(ENOENT\)$/,
    ],
    [{ AIRFLOW_PASSWORD_FILE: 'EMPTY' }, /^Invalid AIRFLOW_PASSWORD_FILE: .* is empty$/],
    [
      { AIRFLOW_AUTH_TOKEN: 'x', AIRFLOW_AUTH_TOKEN_FILE: 'TOKEN' },
      /^Invalid AIRFLOW_AUTH_TOKEN_FILE: set either AIRFLOW_AUTH_TOKEN or AIRFLOW_AUTH_TOKEN_FILE, not both$/,
    ],
    [
      { AIRFLOW_JWT_SECRET_FILE: 'SHORT' },
      /^Invalid AIRFLOW_JWT_SECRET \(from AIRFLOW_JWT_SECRET_FILE\): [^"]*$/,
    ],
  ])('refuses %j with one line naming the setting and never the secret', (env, message) => {
    const files: Record<string, string> = {
      EMPTY: secretFile('empty.txt', '\n'),
      TOKEN: secretFile('t.txt', VALUE),
      SHORT: secretFile('short.txt', 'short-secr3t\n'),
    };
    const resolved = Object.fromEntries(Object.entries(env).map(([k, v]) => [k, files[v] ?? v]));
    let error: Error | undefined;
    try {
      load(resolved);
    } catch (e) {
      error = e as Error;
    }
    expect(error?.message).toMatch(message);
    expect(error?.message).not.toContain('\n');
    expect(error?.message).not.toContain('short-secr3t');
    expect(error?.message).not.toContain(VALUE);
  });

  it('--help says flags are for non-secrets and lists each *_FILE flag', () => {
    const help = buildCli('test').helpInformation().replace(/\s+/g, ' ');
    expect(help).toContain('Flags are for non-secrets (anyone on the host sees them in ps)');
    for (const { env, fileEnv } of secretFileVariants()) {
      expect(help).toContain(`${flagName(fileEnv)} <path>`);
      expect(help).toContain(`(secret: use env ${env} or ${fileEnv}, not this flag)`);
    }
  });
});
