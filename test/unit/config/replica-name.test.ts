// The default replica name is the host name's first label in header-safe characters; REPLICA_NAME is checked.
import { describe, expect, it } from 'vitest';
import { loadSettings } from '../../../src/config/load-settings.js';
import { replicaNameFrom } from '../../../src/config/replica-name.js';

describe('replica name', () => {
  it.each([
    ['airflow-mcp-7d9f8c-x2vqk', 'airflow-mcp-7d9f8c-x2vqk'],
    ['alice-laptop.corp.example.com', 'alice-laptop'],
    ['vm', 'vm'],
    ['weird name!\r\n', 'weirdname'],
    ['', 'airflow-mcp'],
    ['.example.com', 'airflow-mcp'],
    ['x'.repeat(80), 'x'.repeat(63)],
  ])('host name %j → %j', (hostname, name) => {
    expect(replicaNameFrom(hostname)).toBe(name);
  });

  it.each(['pod-a', 'airflow-mcp-0', 'a', 'replica_1.zone-b'])(
    'REPLICA_NAME=%j is accepted as it is',
    (name) => {
      expect(loadSettings([], { REPLICA_NAME: name }, 'test').replicaName).toBe(name);
    },
  );

  it.each(['pod-a\r\nx-injected: 1', 'pod a', 'pod-a;host=vm.corp', '-pod', 'p'.repeat(254), 'ünï'])(
    'REPLICA_NAME=%j is refused in one line',
    (name) => {
      expect(() => loadSettings([], { REPLICA_NAME: name }, 'test')).toThrow(
        /^Invalid REPLICA_NAME: must be a name/,
      );
    },
  );
});
