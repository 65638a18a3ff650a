// Multi-replica test: steady load across every replica behind the Service, with zero session errors allowed.
import { buildOptions, runIteration } from './common.ts';

// New connections by default: behind kube-proxy one keep-alive connection would pin a VU to one pod.
export const options = buildOptions({ rate: 20, duration: '2m', newConnections: true });

export function legacy(): void {
  runIteration('legacy');
}

export function modern(): void {
  runIteration('modern');
}
