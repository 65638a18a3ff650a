// Seed pools, variables, connections (with secrets, as Airflow returns them), plugins, providers and config.
import type { ConnectionRec, PoolRec, VariableRec } from './model.js';

export const SEED_POOLS: PoolRec[] = [
  { name: 'default_pool', slots: 128, description: 'Default pool', includeDeferred: false },
  { name: 'gpu_pool', slots: 4, description: 'GPU nodes for training jobs', includeDeferred: false },
  { name: 'warehouse_pool', slots: 16, description: 'Concurrent warehouse queries', includeDeferred: true },
];

export const SEED_VARIABLES: VariableRec[] = [
  { key: 'environment', value: 'staging', description: 'Deployment environment name' },
  { key: 'sales_regions', value: '["eu","us","apac"]', description: 'Regions processed by etl_daily_sales' },
  { key: 'alert_email', value: 'data-alerts@example.com', description: null },
  {
    key: 'feature_store_config',
    value: '{"endpoint":"https://features.internal","batch_size":500}',
    description: null,
  },
  {
    key: 'partner_api_key',
    value: 'pk_live_SIMULATED_SECRET_7f3a9',
    description: 'Partner API key (sensitive)',
  },
];

/** Passwords and secret `extra` fields are present on purpose: the MCP service must strip them. */
export const SEED_CONNECTIONS: ConnectionRec[] = [
  {
    connection_id: 'warehouse_postgres',
    conn_type: 'postgres',
    description: 'Analytics warehouse',
    host: 'warehouse.internal',
    login: 'etl_user',
    schema: 'analytics',
    port: 5432,
    password: 'SIMULATED-PG-PASSWORD-do-not-leak',
    extra: '{"sslmode": "require", "options": "-c statement_timeout=600000"}',
  },
  {
    connection_id: 'aws_default',
    conn_type: 'aws',
    description: null,
    host: null,
    login: 'AKIASIMULATEDKEY0001',
    schema: null,
    port: null,
    password: 'SIMULATED-AWS-SECRET-do-not-leak',
    extra: '{"region_name": "eu-west-1", "aws_session_token": "SIMULATED-SESSION-TOKEN-do-not-leak"}',
  },
  {
    connection_id: 'partner_sftp',
    conn_type: 'sftp',
    description: 'Partner drop box',
    host: 'sftp.partner.example.com',
    login: 'acme',
    schema: null,
    port: 22,
    password: null,
    extra:
      '{"private_key": "-----BEGIN OPENSSH PRIVATE KEY-----SIMULATED-do-not-leak", "no_host_key_check": true}',
  },
  {
    connection_id: 'slack_alerts',
    conn_type: 'slack',
    description: 'Alerts channel webhook',
    host: 'hooks.slack.com',
    login: null,
    schema: null,
    port: null,
    password: 'xoxb-SIMULATED-slack-token-do-not-leak',
    extra: null,
  },
];

export const SEED_PROVIDERS = [
  ['apache-airflow-providers-standard', 'Airflow standard operators, hooks and sensors', '1.9.0'],
  ['apache-airflow-providers-postgres', 'PostgreSQL https://www.postgresql.org/', '6.2.1'],
  ['apache-airflow-providers-amazon', 'Amazon integration (including Amazon Web Services (AWS)).', '9.14.0'],
  ['apache-airflow-providers-common-sql', 'Common SQL Provider', '1.28.0'],
  ['apache-airflow-providers-sftp', 'SSH File Transfer Protocol (SFTP)', '5.4.0'],
  ['apache-airflow-providers-slack', 'Slack https://slack.com/', '9.3.0'],
].map(([package_name, description, version]) => ({ package_name, description, version }));

export const SEED_PLUGINS = [
  {
    name: 'lineage_listener',
    source: '$PLUGINS_FOLDER/lineage_listener.py',
    listeners: ['lineage_listener.on_task_instance_success'],
  },
  {
    name: 'business_days_timetable',
    source: '$PLUGINS_FOLDER/timetables.py',
    timetables: ['timetables.BusinessDays'],
  },
];

export function configSections(
  version: 'v1' | 'v2',
): { name: string; options: { key: string; value: string }[] }[] {
  const core = [
    ['dags_folder', '/opt/airflow/dags'],
    ['executor', 'LocalExecutor'],
    ['parallelism', '32'],
    ['max_active_tasks_per_dag', '16'],
    ['dags_are_paused_at_creation', 'True'],
    ['load_examples', 'False'],
    ['fernet_key', '< hidden >'],
  ];
  const api =
    version === 'v2'
      ? [
          ['base_url', 'http://localhost:8080'],
          ['port', '8080'],
          ['expose_config', 'True'],
          ['maximum_page_limit', '100'],
        ]
      : [
          ['auth_backends', 'airflow.api.auth.backend.basic_auth'],
          ['maximum_page_limit', '100'],
        ];
  const sections: [string, string[][]][] = [
    ['core', core],
    ['api', api],
    ['database', [['sql_alchemy_conn', '< hidden >']]],
    [
      'logging',
      [
        ['base_log_folder', '/opt/airflow/logs'],
        ['logging_level', 'INFO'],
      ],
    ],
  ];
  if (version === 'v1')
    sections.push([
      'webserver',
      [
        ['web_server_port', '8080'],
        ['secret_key', '< hidden >'],
      ],
    ]);
  else
    sections.push([
      'api_auth',
      [
        ['jwt_secret', '< hidden >'],
        ['jwt_expiration_time', '86400'],
      ],
    ]);
  return sections.map(([name, opts]) => ({
    name,
    options: opts.map(([key, value]) => ({ key: key!, value: value! })),
  }));
}
