// Monitoring checks for the chart: prometheus-operator schema validation of rendered objects,
// PromQL parsing of every dashboard and alert expression, and metric names vs a real /metrics.
//
//   node monitoring-checks.mjs crd RENDERED.yaml...
//   node monitoring-checks.mjs promql DASHBOARD.json RENDERED_RULES.yaml OUT_DIR
//       writes OUT_DIR/exprs.rules.yaml (for `promtool check rules`) and OUT_DIR/metric-names.json
//   node monitoring-checks.mjs metrics OUT_DIR/metric-names.json METRICS.txt
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { PrometheusRule } from '@kubernetes-models/prometheus-operator/monitoring.coreos.com/v1/PrometheusRule';
import { ServiceMonitor } from '@kubernetes-models/prometheus-operator/monitoring.coreos.com/v1/ServiceMonitor';
import { parser } from '@prometheus-io/lezer-promql';
import { parseAllDocuments, stringify } from 'yaml';

// Series that Prometheus itself creates for every target, not exported by the service.
const PROMETHEUS_SYNTHETIC = new Set(['up', 'scrape_duration_seconds', 'scrape_samples_scraped']);

function loadDocs(path) {
  return parseAllDocuments(readFileSync(path, 'utf8'))
    .map((d) => {
      if (d.errors.length) throw new Error(`${path}: ${d.errors[0].message}`);
      return d.toJS();
    })
    .filter(Boolean);
}

function crd(files) {
  const kinds = { ServiceMonitor, PrometheusRule };
  let failed = 0;
  let checked = 0;
  for (const file of files) {
    for (const doc of loadDocs(file)) {
      if (doc.apiVersion !== 'monitoring.coreos.com/v1') continue;
      const Model = kinds[doc.kind];
      checked++;
      const id = `${file}: ${doc.kind}/${doc.metadata?.name}`;
      if (!Model) {
        failed++;
        console.log(`FAIL ${id}: no schema for kind ${doc.kind}`);
        continue;
      }
      try {
        new Model(doc).validate();
        console.log(`ok   ${id}`);
      } catch (err) {
        failed++;
        console.log(`FAIL ${id}: ${err.message}`);
      }
    }
  }
  console.log(`prometheus-operator schema: ${checked} objects, ${failed} failed`);
  return failed === 0 && checked > 0;
}

/** Grafana variables → values that keep the expression valid PromQL. */
function substituteGrafana(expr) {
  return expr
    .replaceAll('$__rate_interval', '5m')
    .replaceAll('$__interval', '1m')
    .replaceAll('$__range', '1h')
    .replace(/\$\{?(\w+)\}?/g, 'grafana_var_$1');
}

/** Parse with Prometheus's own lezer grammar; return metric names, or throw on a syntax error. */
function metricNames(expr) {
  const tree = parser.parse(expr);
  const names = new Set();
  const errors = [];
  tree.iterate({
    enter(node) {
      if (node.type.isError) errors.push(node.from);
      if (node.name === 'VectorSelector') {
        const id = node.node.getChild('Identifier');
        if (id) names.add(expr.slice(id.from, id.to));
      }
      if (node.name === 'UnquotedLabelMatcher' && expr.slice(node.from, node.to).startsWith('__name__')) {
        const lit = node.node.getChild('StringLiteral');
        if (lit) names.add(JSON.parse(expr.slice(lit.from, lit.to)));
      }
    },
  });
  if (errors.length) throw new Error(`syntax error at offset ${errors[0]} in: ${expr}`);
  return names;
}

function dashboardExprs(dashboard) {
  const out = [];
  const walk = (panels) => {
    for (const p of panels ?? []) {
      for (const t of p.targets ?? [])
        if (t.expr) out.push({ where: `dashboard panel "${p.title}" ${t.refId}`, expr: t.expr });
      walk(p.panels);
    }
  };
  walk(dashboard.panels);
  for (const v of dashboard.templating?.list ?? []) {
    const q = typeof v.query === 'string' ? v.query : v.query?.query;
    const m = v.type === 'query' && q ? /^label_values\((.*),\s*\w+\)$/.exec(q) : null;
    if (m) out.push({ where: `dashboard variable ${v.name}`, expr: m[1] });
  }
  return out;
}

function ruleExprs(file) {
  const out = [];
  for (const doc of loadDocs(file)) {
    const groups = doc.kind === 'PrometheusRule' ? doc.spec.groups : doc.groups;
    for (const g of groups ?? []) {
      for (const r of g.rules) out.push({ where: `rule ${r.alert ?? r.record}`, expr: r.expr });
    }
  }
  return out;
}

function promql(dashboardPath, rulesPath, outDir) {
  const dashboard = JSON.parse(readFileSync(dashboardPath, 'utf8'));
  const exprs = [
    ...dashboardExprs(dashboard).map((e) => ({ ...e, expr: substituteGrafana(e.expr) })),
    ...ruleExprs(rulesPath),
  ];
  const names = {};
  let failed = 0;
  for (const { where, expr } of exprs) {
    try {
      for (const n of metricNames(expr)) {
        names[n] = [...(names[n] ?? []), where];
      }
    } catch (err) {
      failed++;
      console.log(`FAIL ${where}: ${err.message}`);
    }
  }
  // Every expression as a recording rule, so promtool (Prometheus's Go parser) parses it too.
  const rules = exprs.map(({ expr }, i) => ({ record: `check:expr_${i}`, expr }));
  writeFileSync(
    join(outDir, 'exprs.rules.yaml'),
    stringify({ groups: [{ name: 'dashboard-and-alert-exprs', rules }] }),
  );
  writeFileSync(join(outDir, 'metric-names.json'), `${JSON.stringify(names, null, 2)}\n`);
  console.log(
    `lezer-promql: ${exprs.length} expressions parsed, ${failed} failed, ${Object.keys(names).length} metric names`,
  );
  return failed === 0 && exprs.length > 0;
}

/** Family names declared in Prometheus text exposition (# HELP / # TYPE), plus histogram/summary series. */
function exportedNames(text) {
  const names = new Set();
  for (const line of text.split('\n')) {
    const m = /^# (?:HELP|TYPE) ([a-zA-Z_:][a-zA-Z0-9_:]*) (\S+)?/.exec(line);
    if (!m) continue;
    names.add(m[1]);
    if (line.startsWith('# TYPE') && (m[2] === 'histogram' || m[2] === 'summary')) {
      for (const s of ['_bucket', '_sum', '_count']) names.add(m[1] + s);
    }
  }
  return names;
}

function metrics(namesPath, metricsPath) {
  const used = JSON.parse(readFileSync(namesPath, 'utf8'));
  const exported = exportedNames(readFileSync(metricsPath, 'utf8'));
  if (exported.size === 0) {
    console.log(`FAIL ${metricsPath} declares no metric families`);
    return false;
  }
  let failed = 0;
  for (const [name, where] of Object.entries(used).sort()) {
    if (exported.has(name)) console.log(`ok   ${name}`);
    else if (PROMETHEUS_SYNTHETIC.has(name)) console.log(`ok   ${name} (created by Prometheus per target)`);
    else {
      failed++;
      console.log(`FAIL ${name} is not exported by the service; used by ${[...new Set(where)].join('; ')}`);
    }
  }
  console.log(
    `metric names: ${Object.keys(used).length} used, ${failed} missing from /metrics (${exported.size} exported names)`,
  );
  return failed === 0;
}

const [cmd, ...args] = process.argv.slice(2);
const ok =
  cmd === 'crd'
    ? crd(args)
    : cmd === 'promql'
      ? promql(...args)
      : cmd === 'metrics'
        ? metrics(...args)
        : null;
if (ok === null) {
  console.error(`unknown command ${cmd}`);
  process.exit(2);
}
process.exit(ok ? 0 : 1);
