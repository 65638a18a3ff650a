// The toolsets an operator or a client can expose: every tool belongs to exactly one.
export const TOOLSETS = [
  'dags',
  'runs',
  'tasks',
  'logs',
  'diagnostics',
  'assets',
  'admin',
  'variables',
  'connections',
] as const;

export type Toolset = (typeof TOOLSETS)[number];

export function isToolset(name: string): name is Toolset {
  return (TOOLSETS as readonly string[]).includes(name);
}
