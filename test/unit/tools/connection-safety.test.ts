// Connections are mapped by allow-list: no password, only scalar extra keys known to be safe.
import { describe, expect, it } from 'vitest';
import { safeConnection } from '../../../src/airflow/adapter-v2-map.js';
import { variableBrief } from '../../../src/tools/admin.js';

describe('safeConnection', () => {
  it.each([
    ['a password', { password: 'hunter2' }, { has_password: true, extra: null, extra_hidden_keys: [] }],
    ['no password', { password: null }, { has_password: false }],
    [
      'safe and secret extra keys',
      { extra: '{"region_name":"eu-west-1","aws_secret_access_key":"s3cr3t"}' },
      { extra: { region_name: 'eu-west-1' }, extra_hidden_keys: ['aws_secret_access_key'] },
    ],
    [
      'a safe key holding an object',
      { extra: '{"host":{"token":"s3cr3t"}}' },
      { extra: null, extra_hidden_keys: ['host'] },
    ],
    [
      'extra that is not JSON',
      { extra: 'password=s3cr3t' },
      { extra: null, extra_hidden_keys: ['(unparsed extra)'] },
    ],
  ])('handles %s', (_name, input, expected) => {
    const c = safeConnection({ connection_id: 'c', conn_type: 'x', ...input });
    expect(c).toMatchObject(expected);
    expect(JSON.stringify(c)).not.toMatch(/hunter2|s3cr3t/);
  });
});

describe('variableBrief', () => {
  it.each([
    ['partner_api_key', '***'],
    ['db_password', '***'],
    ['slack_token', '***'],
    ['environment', 'staging'],
  ])('shows %s as %s', (key, shown) => {
    expect(variableBrief({ key, value: 'staging', description: null }).value).toBe(shown);
  });
});
