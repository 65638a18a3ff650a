import { describe, expect, it } from 'vitest';
import { loadSettings } from '../../../src/config/load-settings.js';
import { ConfigError } from '../../../src/config/settings.js';

const load = (env: Record<string, string>, argv: string[] = []) => loadSettings(argv, env, '0.0.0');

describe('settings', () => {
  it('has documented defaults', () => {
    const s = load({});
    expect(s).toMatchObject({
      airflowAuthMode: 'forward',
      airflowApiVersion: 'auto',
      port: 8000,
      mcpPath: '/mcp',
      maxOutputBytes: 65536,
      readOnly: false,
    });
    expect(Object.isFrozen(s)).toBe(true);
  });

  it('flags override env', () => {
    expect(load({ PORT: '9000' }, ['--port', '9100']).port).toBe(9100);
    expect(load({ MCP_READ_ONLY: 'true' }).readOnly).toBe(true);
    expect(load({ ALLOWED_HOSTS: 'a.svc, b.svc' }).allowedHosts).toEqual(['a.svc', 'b.svc']);
  });

  it.each([
    [{ PORT: '70000' }, /^Invalid PORT: /],
    [{ AIRFLOW_AUTH_MODE: 'magic' }, /^Invalid AIRFLOW_AUTH_MODE: /],
    [
      { AIRFLOW_API_URL: 'ftp://x' },
      /^Invalid AIRFLOW_API_URL: the scheme must be http or https \(got "ftp:\/\/x"\)$/,
    ],
    [{ AIRFLOW_API_URL: 'airflow:8080' }, /^Invalid AIRFLOW_API_URL: the scheme must be http or https/],
    [{ AIRFLOW_API_URL: 'not a url' }, /^Invalid AIRFLOW_API_URL: must be an http:\/\/ or https:\/\/ URL/],
    [{ AIRFLOW_AUTH_MODE: 'token' }, /^Invalid AIRFLOW_AUTH_TOKEN: is required/],
    [{ AIRFLOW_AUTH_MODE: 'password', AIRFLOW_USERNAME: 'u' }, /^Invalid AIRFLOW_PASSWORD: /],
    [{ MCP_PATH: 'mcp' }, /^Invalid MCP_PATH: /],
  ])('rejects %o with one clear line', (env, message) => {
    expect(() => load(env)).toThrow(ConfigError);
    try {
      load(env);
    } catch (error) {
      expect((error as Error).message).toMatch(message);
      expect((error as Error).message).not.toContain('\n');
    }
  });

  it.each([
    [['--mcp-read-only', '--host', '127.0.0.1'], true, '127.0.0.1'],
    [['--mcp-read-only=false', '--host', '127.0.0.2'], false, '127.0.0.2'],
    [['--mcp-read-only', 'false'], false, '0.0.0.0'],
    [['--mcp-read-only=true'], true, '0.0.0.0'],
    [['--host', '127.0.0.1', '--mcp-read-only'], true, '127.0.0.1'],
  ])('boolean flags stand alone or take a value: %j', (argv, readOnly, host) => {
    expect(load({}, argv)).toMatchObject({ readOnly, host });
  });

  it('a boolean flag with a value that is not a boolean names the setting', () => {
    expect(() => load({}, ['--mcp-read-only=maybe'])).toThrow(/^Invalid MCP_READ_ONLY: /);
  });

  it('the flag itself still says the scheme must be http or https', () => {
    expect(() => load({}, ['--airflow-api-url', 'ftp://airflow.example.com'])).toThrow(
      'Invalid AIRFLOW_API_URL: the scheme must be http or https',
    );
  });
});
