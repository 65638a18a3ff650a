import { describe, expect, it } from 'vitest';
import { discoverAirflow } from '../../../src/config/discover-airflow.js';

const files = (map: Record<string, string>) => (path: string) => map[path];
const noFiles = () => undefined;

describe('discoverAirflow', () => {
  it.each([
    {
      name: 'explicit URL wins and keeps its path prefix',
      input: { explicitUrl: 'https://af.example.com/airflow/', env: { AIRFLOW__API__PORT: '9091' } },
      url: 'https://af.example.com/airflow',
      source: 'AIRFLOW_API_URL',
    },
    {
      name: 'Airflow 3 port from env, not 8080',
      input: { env: { AIRFLOW__API__PORT: '9091' } },
      url: 'http://localhost:9091',
      source: 'AIRFLOW__API__PORT',
    },
    {
      name: 'Airflow 3 base_url path prefix with port',
      input: {
        env: { AIRFLOW__API__BASE_URL: 'https://airflow.corp.example/team-a/', AIRFLOW__API__PORT: '9091' },
      },
      url: 'https://localhost:9091/team-a',
      source: 'AIRFLOW__API__BASE_URL',
    },
    {
      name: 'Airflow 3 local base_url keeps its own port and prefix',
      input: { env: { AIRFLOW__API__BASE_URL: 'http://localhost:9091/airflow' } },
      url: 'http://localhost:9091/airflow',
      source: 'AIRFLOW__API__BASE_URL',
    },
    {
      name: 'Airflow 2 webserver env',
      input: { env: { AIRFLOW__WEBSERVER__WEB_SERVER_PORT: '8793' } },
      url: 'http://localhost:8793',
      source: 'AIRFLOW__WEBSERVER__WEB_SERVER_PORT',
    },
    {
      name: 'Airflow 2 webserver base_url',
      input: { env: { AIRFLOW__WEBSERVER__BASE_URL: 'http://localhost:8081/af2' } },
      url: 'http://localhost:8081/af2',
      source: 'AIRFLOW__WEBSERVER__BASE_URL',
    },
    { name: 'nothing → default', input: { env: {} }, url: 'http://localhost:8080', source: 'default' },
    {
      name: 'invalid port is ignored',
      input: { env: { AIRFLOW__API__PORT: 'eighty' } },
      url: 'http://localhost:8080',
      source: 'default',
    },
  ])('$name', ({ input, url, source }) => {
    const found = discoverAirflow({ readFile: noFiles, ...input });
    expect(found).toMatchObject({ url, source });
  });

  it('reads [api] from $AIRFLOW_HOME/airflow.cfg', () => {
    const found = discoverAirflow({
      env: { AIRFLOW_HOME: '/opt/airflow' },
      readFile: files({
        '/opt/airflow/airflow.cfg':
          '[core]\ndags_folder = /x\n\n[api]\nport = 9091\nbase_url = http://localhost:9091/prefix\n',
      }),
    });
    expect(found).toEqual({
      url: 'http://localhost:9091/prefix',
      source: 'airflow.cfg [api]',
      file: '/opt/airflow/airflow.cfg',
    });
  });

  it('reads [webserver] from AIRFLOW_CONFIG for Airflow 2', () => {
    const found = discoverAirflow({
      env: { AIRFLOW_CONFIG: '/etc/af.cfg', AIRFLOW_HOME: '/ignored' },
      readFile: files({
        '/etc/af.cfg': '[webserver]\nweb_server_port = 8282\nbase_url = http://localhost:8080\n',
      }),
    });
    expect(found).toEqual({
      url: 'http://localhost:8282',
      source: 'airflow.cfg [webserver]',
      file: '/etc/af.cfg',
    });
  });

  it('prefers env over airflow.cfg and the file over the default', () => {
    const readFile = files({ '/h/airflow.cfg': '[api]\nport = 9999\n' });
    expect(discoverAirflow({ env: { AIRFLOW_HOME: '/h', AIRFLOW__API__PORT: '9091' }, readFile }).url).toBe(
      'http://localhost:9091',
    );
    expect(discoverAirflow({ env: { AIRFLOW_HOME: '/h' }, readFile }).url).toBe('http://localhost:9999');
    expect(discoverAirflow({ env: { AIRFLOW_HOME: '/missing' }, readFile }).source).toBe('default');
  });
});
