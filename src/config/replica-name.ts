// The replica's name, the only thing x-served-by and the log's `replica` field ever carry.

/** What REPLICA_NAME accepts: a Kubernetes pod name or similar, safe in a header and a log line. */
export const REPLICA_NAME_PATTERN = /^[A-Za-z0-9]([A-Za-z0-9._-]{0,251}[A-Za-z0-9])?$/;

/**
 * Without REPLICA_NAME: the host name's first label (in a pod, the pod name; elsewhere the machine's short
 * name, never its domain), reduced to header-safe characters.
 */
export function replicaNameFrom(hostname: string): string {
  const label = (hostname.split('.')[0] ?? '').replace(/[^A-Za-z0-9_-]/g, '').slice(0, 63);
  const trimmed = label.replace(/^[-_]+|[-_]+$/g, '');
  return trimmed || 'airflow-mcp';
}
