// The control: the stateful SDK fixture as a 3-replica Deployment behind its own ClusterIP Service.
import { mkdirSync } from 'node:fs';
import { resolve } from 'node:path';
import { build } from 'esbuild';
import { kubectl, kubectlJson, ROOT, waitPods } from './kube.js';

const NAME = 'stateful-control';
const SELECTOR = `app=${NAME}`;

export async function deployStateful(
  ns: string,
  image: string,
): Promise<{ service: string; selector: string; clusterIp: string }> {
  const dir = resolve(ROOT, '.cache/cluster/fixture');
  mkdirSync(dir, { recursive: true });
  await build({
    entryPoints: [resolve(ROOT, 'loadtest/fixtures/stateful-server.ts')],
    outfile: resolve(dir, 'stateful.cjs'),
    bundle: true,
    platform: 'node',
    format: 'cjs',
    target: 'node24',
    logLevel: 'warning',
  });
  const labels = { app: NAME };
  const objects = {
    apiVersion: 'v1',
    kind: 'List',
    items: [
      {
        apiVersion: 'apps/v1',
        kind: 'Deployment',
        metadata: { name: NAME, namespace: ns, labels },
        spec: {
          replicas: 3,
          selector: { matchLabels: labels },
          template: {
            metadata: { labels },
            spec: {
              securityContext: { runAsNonRoot: true, runAsUser: 10001, runAsGroup: 10001 },
              containers: [
                {
                  name: 'stateful',
                  image,
                  imagePullPolicy: 'Never',
                  command: ['node', '/fixture/stateful.cjs'],
                  env: [
                    { name: 'HOST', value: '0.0.0.0' },
                    { name: 'PORT', value: '8000' },
                    { name: 'REPLICA_NAME', valueFrom: { fieldRef: { fieldPath: 'metadata.name' } } },
                  ],
                  ports: [{ name: 'http', containerPort: 8000 }],
                  readinessProbe: { tcpSocket: { port: 8000 }, periodSeconds: 1 },
                  volumeMounts: [{ name: 'fixture', mountPath: '/fixture', readOnly: true }],
                },
              ],
              volumes: [{ name: 'fixture', hostPath: { path: dir, type: 'Directory' } }],
            },
          },
        },
      },
      {
        apiVersion: 'v1',
        kind: 'Service',
        metadata: { name: NAME, namespace: ns, labels },
        spec: { selector: labels, ports: [{ name: 'http', port: 8000, targetPort: 'http' }] },
      },
    ],
  };
  await kubectl(['apply', '-f', '-'], 60_000, JSON.stringify(objects));
  await waitPods(ns, SELECTOR, 3);
  const svc = await kubectlJson<{ spec: { clusterIP: string } }>(['-n', ns, 'get', 'service', NAME]);
  return { service: NAME, selector: SELECTOR, clusterIp: svc.spec.clusterIP };
}

export async function removeStateful(ns: string): Promise<void> {
  await kubectl(['-n', ns, 'delete', 'deployment,service', NAME, '--wait=true', '--timeout=60s'], 90_000);
}
