// Reads settings from CLI flags (which win) and environment variables; flags mirror the env names.
import { Command, Option } from 'commander';
import { isBooleanSetting, parseSettings, SETTINGS, type SettingKey, type Settings } from './settings.js';

export function flagName(env: string): string {
  return `--${env.toLowerCase().replaceAll('_', '-')}`;
}

function optionKey(env: string): string {
  return env.toLowerCase().replace(/_([a-z])/g, (_, c: string) => c.toUpperCase());
}

export function buildCli(version: string): Command {
  const program = new Command('airflow-mcp')
    .description("Stateless MCP server for Apache Airflow that forwards each caller's Airflow credentials.")
    .version(version)
    .helpOption('-h, --help', 'show every setting')
    .exitOverride()
    .configureOutput({ writeErr: (s) => process.stderr.write(s) })
    .allowExcessArguments(false);
  for (const [key, spec] of Object.entries(SETTINGS) as [SettingKey, (typeof SETTINGS)[SettingKey]][]) {
    const d = spec.schema.def as { type: string; defaultValue?: unknown };
    const def = d.type === 'default' ? ` (default: ${JSON.stringify(d.defaultValue)})` : '';
    // A boolean flag alone means true (`--mcp-read-only`); `--flag=false` or `--flag false` sets it.
    const value = isBooleanSetting(key) ? '[value]' : '<value>';
    program.addOption(new Option(`${flagName(spec.env)} ${value}`, `${spec.help}${def} [env ${spec.env}]`));
  }
  return program;
}

/** Parses flags and env into settings. Throws ConfigError (one line) on a bad value. */
export function loadSettings(argv: readonly string[], env: NodeJS.ProcessEnv, version: string): Settings {
  const program = buildCli(version);
  program.parse(argv as string[], { from: 'user' });
  const flags = program.opts<Record<string, string | true | undefined>>();
  const raw: Partial<Record<SettingKey, unknown>> = {};
  for (const [key, spec] of Object.entries(SETTINGS) as [SettingKey, (typeof SETTINGS)[SettingKey]][]) {
    const value = flags[optionKey(spec.env)] ?? env[spec.env];
    if (value !== undefined && value !== '') raw[key] = value;
  }
  return parseSettings(raw);
}
