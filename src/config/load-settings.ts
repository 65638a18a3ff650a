// Reads settings from CLI flags (which win), environment variables and secret files; flags mirror the env names.
import { readFileSync } from 'node:fs';
import { Command, Option } from 'commander';
import {
  ConfigError,
  isBooleanSetting,
  parseSettings,
  SETTINGS,
  type SettingKey,
  type Settings,
  secretFileVariants,
} from './settings.js';

export function flagName(env: string): string {
  return `--${env.toLowerCase().replaceAll('_', '-')}`;
}

function optionKey(env: string): string {
  return env.toLowerCase().replace(/_([a-z])/g, (_, c: string) => c.toUpperCase());
}

export function buildCli(version: string): Command {
  const program = new Command('airflow-mcp')
    .description(
      "Stateless MCP server for Apache Airflow that forwards each caller's Airflow credentials. " +
        'Every flag mirrors an environment variable. Flags are for non-secrets (anyone on the host sees ' +
        'them in ps): give a secret as its environment variable or, better, as a file named by <ENV>_FILE.',
    )
    .version(version)
    .helpOption('-h, --help', 'show every setting')
    .exitOverride()
    .configureOutput({ writeErr: (s) => process.stderr.write(s) })
    .allowExcessArguments(false);
  const files = new Map(secretFileVariants().map((v) => [v.env, v.fileEnv]));
  for (const [key, spec] of Object.entries(SETTINGS) as [SettingKey, (typeof SETTINGS)[SettingKey]][]) {
    const d = spec.schema.def as { type: string; defaultValue?: unknown };
    const def = d.type === 'default' ? ` (default: ${JSON.stringify(d.defaultValue)})` : '';
    const fileEnv = files.get(spec.env);
    const secret =
      'secret' in spec ? ` (secret: use env ${spec.env} or ${spec.env}_FILE, not this flag)` : '';
    // A boolean flag alone means true (`--mcp-read-only`); `--flag=false` or `--flag false` sets it.
    const value = isBooleanSetting(key) ? '[value]' : '<value>';
    program.addOption(
      new Option(`${flagName(spec.env)} ${value}`, `${spec.help}${secret}${def} [env ${spec.env}]`),
    );
    if (fileEnv) {
      program.addOption(
        new Option(
          `${flagName(fileEnv)} <path>`,
          `File holding ${spec.env} (e.g. a mounted Secret; one trailing newline is ignored) [env ${fileEnv}]`,
        ),
      );
    }
  }
  return program;
}

/** The secret in `path`, without one trailing newline (what `echo` and most editors add). */
function readSecretFile(fileEnv: string, path: string, readFile: (path: string) => string): string {
  let text: string;
  try {
    text = readFile(path);
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code ?? 'unreadable';
    throw new ConfigError(`Invalid ${fileEnv}: cannot read ${path} (${code})`);
  }
  const value = text.replace(/\r?\n$/, '');
  if (value === '') throw new ConfigError(`Invalid ${fileEnv}: ${path} is empty`);
  return value;
}

/** Parses flags, env and secret files into settings. Throws ConfigError (one line) on a bad value. */
export function loadSettings(
  argv: readonly string[],
  env: NodeJS.ProcessEnv,
  version: string,
  readFile: (path: string) => string = (path) => readFileSync(path, 'utf8'),
): Settings {
  const program = buildCli(version);
  program.parse(argv as string[], { from: 'user' });
  const flags = program.opts<Record<string, string | true | undefined>>();
  const given = (name: string) => {
    const value = flags[optionKey(name)] ?? env[name];
    return value === undefined || value === '' ? undefined : value;
  };
  const raw: Partial<Record<SettingKey, unknown>> = {};
  for (const [key, spec] of Object.entries(SETTINGS) as [SettingKey, (typeof SETTINGS)[SettingKey]][]) {
    const value = given(spec.env);
    if (value !== undefined) raw[key] = value;
  }
  const fromFile = new Map<string, string>();
  for (const { key, env: name, fileEnv } of secretFileVariants()) {
    const path = given(fileEnv);
    if (path === undefined) continue;
    if (raw[key] !== undefined) {
      throw new ConfigError(`Invalid ${fileEnv}: set either ${name} or ${fileEnv}, not both`);
    }
    raw[key] = readSecretFile(fileEnv, String(path), readFile);
    fromFile.set(name, fileEnv);
  }
  try {
    return parseSettings(raw);
  } catch (error) {
    // Name the variable the operator set: the file's, when the bad value came from one.
    const named = error instanceof ConfigError && /^Invalid ([A-Z0-9_]+):/.exec(error.message);
    const fileEnv = named ? fromFile.get(named[1]!) : undefined;
    if (named && fileEnv) {
      throw new ConfigError(
        error.message.replace(`Invalid ${named[1]}:`, `Invalid ${named[1]} (from ${fileEnv}):`),
      );
    }
    throw error;
  }
}
