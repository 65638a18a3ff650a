// The chart's life cycle on the real cluster: CRD guard, install, helm test, upgrades around the HPA, uninstall.
import { execFileSync } from 'node:child_process';
import { resolve } from 'node:path';
import { FACTS, helm, kubectl, kubectlJson, pods, run, sleep, waitFor } from './kube.js';

export const CHART = 'helm/airflow-mcp';
export const VALUES = 'test/cluster/values.yaml';

/** The Prometheus Operator's CRDs from its Go module (example/prometheus-operator-crd), pinned in versions.sh. */
export async function installMonitoringCrds(): Promise<void> {
  const mod = `github.com/prometheus-operator/prometheus-operator@${FACTS.PROM_OPERATOR_VERSION}`;
  const info = JSON.parse(
    execFileSync('go', ['mod', 'download', '-json', mod], {
      encoding: 'utf8',
      env: { ...process.env, GOFLAGS: '-mod=mod' },
    }),
  ) as { Dir: string };
  const dir = resolve(info.Dir, 'example/prometheus-operator-crd');
  for (const kind of ['servicemonitors', 'prometheusrules']) {
    await kubectl(
      ['apply', '--server-side', '-f', resolve(dir, `monitoring.coreos.com_${kind}.yaml`)],
      60_000,
    );
    await waitFor(`CRD ${kind} established`, 60_000, async () => {
      const jsonpath = 'jsonpath={.status.conditions[?(@.type=="Established")].status}';
      const st = await kubectl(['get', 'crd', `${kind}.monitoring.coreos.com`, '-o', jsonpath]);
      return st.trim() === 'True' ? true : undefined;
    });
  }
}

export async function crdsPresent(): Promise<boolean> {
  const r = await run('kubectl', [
    'get',
    'crd',
    'servicemonitors.monitoring.coreos.com',
    'prometheusrules.monitoring.coreos.com',
  ]);
  return r.code === 0;
}

/** Without the CRDs the chart must refuse with a message naming what to install or turn off. */
export async function crdGuardRefuses(release: string, ns: string, airflowUrl: string): Promise<boolean> {
  const r = await run(
    'helm',
    [
      'install',
      release,
      CHART,
      '-n',
      ns,
      '--create-namespace',
      '-f',
      VALUES,
      '--set',
      `airflow.url=${airflowUrl}`,
    ],
    60_000,
  );
  const out = r.stdout + r.stderr;
  return (
    r.code !== 0 &&
    /(ServiceMonitor|PrometheusRule) CRD .*(serviceMonitor|prometheusRule)\.enabled=false/.test(out)
  );
}

export async function install(release: string, ns: string, airflowUrl: string): Promise<void> {
  await helm(
    [
      'install',
      release,
      CHART,
      '-n',
      ns,
      '--create-namespace',
      '-f',
      VALUES,
      '--set',
      `airflow.url=${airflowUrl}`,
      '--wait',
      '--timeout',
      '180s',
    ],
    200_000,
  );
}

/** `helm test --logs`: passes and prints the test pod's output (the pod outlives the hook). */
export async function helmTest(
  release: string,
  ns: string,
): Promise<{ ok: boolean; logs: boolean; output: string }> {
  const r = await run('helm', ['test', release, '-n', ns, '--logs', '--timeout', '120s'], 150_000);
  const output = r.stdout + r.stderr;
  return {
    ok: r.code === 0 && /Phase:\s+Succeeded/.test(output),
    logs: /POD LOGS/.test(output) && !/unable to get pod logs/.test(output),
    output,
  };
}

/** The test pod is not behind the Service and not counted by the PDB. */
export async function testPodUnselected(
  release: string,
  ns: string,
  selector: string,
): Promise<string | undefined> {
  const svc = `${release}-airflow-mcp`;
  const testPod = `${svc}-test-mcp`;
  const slices = await kubectlJson<{ items: { endpoints?: { targetRef?: { name: string } }[] }[] }>([
    '-n',
    ns,
    'get',
    'endpointslices',
    '-l',
    `kubernetes.io/service-name=${svc}`,
  ]);
  const behind = slices.items.flatMap((s) => (s.endpoints ?? []).map((e) => e.targetRef?.name));
  if (behind.includes(testPod)) return 'the test pod is an endpoint of the Service';
  const pdb = await kubectlJson<{ status: { expectedPods?: number } }>(['-n', ns, 'get', 'pdb', svc]);
  const serving = (await pods(ns, selector)).length;
  if (pdb.status.expectedPods !== serving)
    return `PDB expects ${pdb.status.expectedPods} pods, ${serving} serve`;
  const events = await kubectl([
    '-n',
    ns,
    'get',
    'events',
    '--field-selector',
    `involvedObject.name=${svc},involvedObject.kind=PodDisruptionBudget`,
    '-o',
    'name',
  ]);
  const unmanaged = await kubectl(['-n', ns, 'get', 'events', '-o', 'jsonpath={.items[*].reason}']);
  if (/UnmanagedPods/.test(unmanaged)) return `UnmanagedPods event on the PDB (${events.trim()})`;
  return undefined;
}

async function replicasOf(ns: string, name: string): Promise<number> {
  const d = await kubectlJson<{ spec: { replicas: number } }>(['-n', ns, 'get', 'deployment', name]);
  return d.spec.replicas;
}

/** Runs a helm upgrade while watching spec.replicas; returns the lowest value seen. */
async function upgradeWatching(release: string, ns: string, sets: string[]): Promise<number> {
  const name = `${release}-airflow-mcp`;
  let low = await replicasOf(ns, name);
  let done = false;
  const watcher = (async () => {
    while (!done) {
      low = Math.min(low, await replicasOf(ns, name).catch(() => low));
      await sleep(150);
    }
  })();
  try {
    await helm(
      [
        'upgrade',
        release,
        CHART,
        '-n',
        ns,
        '--reuse-values',
        ...sets.flatMap((s) => ['--set', s]),
        '--wait',
        '--timeout',
        '180s',
      ],
      200_000,
    );
    await sleep(3000);
    low = Math.min(low, await replicasOf(ns, name));
  } finally {
    done = true;
    await watcher;
  }
  return low;
}

export interface HpaOutcome {
  ok: boolean;
  detail: string;
  metricsApi: boolean;
}

/** replicaCount 5, then HPA on, then HPA off with replicaCount 3: the count never drops below 5. */
export async function hpaSwitchKeepsReplicas(
  release: string,
  ns: string,
  selector: string,
): Promise<HpaOutcome> {
  const lows: number[] = [];
  lows.push(await upgradeWatching(release, ns, ['replicaCount=5']));
  await waitFor('5 pods', 120_000, async () =>
    (await pods(ns, selector)).filter((p) => p.ready).length === 5 ? true : undefined,
  );
  lows.push(await upgradeWatching(release, ns, ['autoscaling.enabled=true']));
  const hpa = await kubectlJson<{
    status: { conditions?: { type: string; status: string; reason: string }[] };
  }>(['-n', ns, 'get', 'hpa', `${release}-airflow-mcp`]).catch(() => ({
    status: {} as { conditions?: { type: string; status: string; reason: string }[] },
  }));
  const active = hpa.status.conditions?.find((c) => c.type === 'ScalingActive');
  lows.push(await upgradeWatching(release, ns, ['autoscaling.enabled=false', 'replicaCount=3']));
  const ok = lows.slice(1).every((l) => l >= 5);
  return {
    ok,
    metricsApi: active?.status === 'True',
    detail: `lowest spec.replicas per upgrade ${JSON.stringify(lows)}; HPA ScalingActive=${active?.status ?? '?'} (${active?.reason ?? 'no status yet'})`,
  };
}

/**
 * helm uninstall, then nothing of the release may remain in its namespace except the last helm test pod:
 * Helm never deletes test hooks on uninstall, and the hook policy keeps the pod for `helm test --logs`.
 * That pod is then removed by its labels, as docs/deployment.md tells users.
 */
export async function uninstallClean(
  release: string,
  ns: string,
): Promise<{ ok: boolean; left: string[]; testPodKept: boolean }> {
  await helm(['uninstall', release, '-n', ns, '--wait', '--timeout', '120s'], 150_000);
  const left = await waitFor('release objects gone', 90_000, async () => {
    const out = await kubectl([
      '-n',
      ns,
      'get',
      'all,configmaps,secrets,serviceaccounts,pdb,networkpolicies,hpa,servicemonitors,prometheusrules,endpointslices,roles,rolebindings',
      '-o',
      'name',
    ]);
    const names = out
      .split('\n')
      .filter((l) => l && !/configmap\/kube-root-ca\.crt|serviceaccount\/default|stateful-control/.test(l));
    return names.some((n) => n.startsWith('pod/') && !n.includes('test-mcp')) ? undefined : names;
  });
  const testPod = `pod/${release}-airflow-mcp-test-mcp`;
  const testPodKept = left.includes(testPod);
  if (testPodKept) {
    await kubectl(
      [
        '-n',
        ns,
        'delete',
        'pod',
        '-l',
        `app.kubernetes.io/instance=${release},app.kubernetes.io/component=helm-test`,
        '--wait=true',
        '--timeout=60s',
      ],
      70_000,
    );
  }
  const others = left.filter((n) => n !== testPod);
  return { ok: others.length === 0, left: others, testPodKept };
}
