import { readFileSync } from 'node:fs';
import path from 'node:path';
import { parser } from '@prometheus-io/lezer-promql';
import { DataSource } from 'typeorm';
import { parse as parseYaml } from 'yaml';
import { EventingMetrics, webhookInboxMetrics } from '@waybill/eventing';
import { httpMetricsMiddleware, Metrics, WebhookOutcomes } from '@waybill/platform';
import { ChannelsMetrics } from '../services/channels/src/channels-metrics';
import { InventoryMetrics } from '../services/inventory/src/inventory-metrics';
import { LogisticsMetrics } from '../services/logistics/src/logistics-metrics';
import { OrderMetrics } from '../services/order/src/order-metrics';

const OBSERVABILITY = path.join(__dirname, '..', 'deploy', 'observability');

interface AlertRule {
  alert?: unknown;
  expr?: unknown;
  for?: unknown;
  labels?: { severity?: unknown };
  annotations?: { summary?: unknown };
}

interface DashboardPanel {
  id: number;
  type: string;
  title: string;
  gridPos: { h: number; w: number; x: number; y: number };
  datasource?: { uid?: string };
  targets?: { expr: string; refId: string }[];
}

/** Every sample name the services export: built from the same classes the services register. */
function exportedSampleNames(): Set<string> {
  const metrics = new Metrics('any');
  const noDatabase = {} as DataSource; // gauges read the database only when scraped
  new EventingMetrics(metrics, noDatabase);
  httpMetricsMiddleware(metrics);
  new WebhookOutcomes(metrics);
  webhookInboxMetrics(metrics, noDatabase);
  new OrderMetrics(metrics, noDatabase);
  new InventoryMetrics(metrics, noDatabase);
  new LogisticsMetrics(metrics, noDatabase);
  new ChannelsMetrics(metrics, noDatabase);
  const names = new Set<string>(['up']); // Prometheus's own, per scrape target
  for (const metric of metrics.registry.getMetricsAsArray()) {
    const { name, type } = metric as unknown as { name: string; type: string };
    names.add(name);
    if (type === 'histogram') {
      for (const suffix of ['_bucket', '_sum', '_count']) {
        names.add(name + suffix);
      }
    }
    if (type === 'summary') {
      for (const suffix of ['_sum', '_count']) {
        names.add(name + suffix);
      }
    }
  }
  return names;
}

/** Parses with Prometheus's own PromQL grammar; returns the metric names selected, or the error. */
function readPromQl(expr: string): { metrics: string[]; error?: string } {
  const tree = parser.parse(expr);
  const metrics: string[] = [];
  let error: string | undefined;
  tree.iterate({
    enter(node) {
      if (node.type.isError) {
        error ??= `syntax error at ${node.from}: …${expr.slice(node.from, node.from + 20)}`;
      }
      if (node.name === 'Identifier' && node.node.parent?.name === 'VectorSelector') {
        metrics.push(expr.slice(node.from, node.to));
      }
    },
  });
  return { metrics, error };
}

const exported = exportedSampleNames();

function checkExpression(where: string, expr: string): void {
  const { metrics, error } = readPromQl(expr);
  expect({ where, error }).toEqual({ where, error: undefined });
  expect({ where, selectsMetrics: metrics.length > 0 }).toEqual({ where, selectsMetrics: true });
  for (const metric of metrics) {
    expect({ where, metric, exported: exported.has(metric) }).toEqual({ where, metric, exported: true });
  }
}

describe('Prometheus alert rules (deploy/observability/prometheus-rules.yaml)', () => {
  const file = parseYaml(readFileSync(path.join(OBSERVABILITY, 'prometheus-rules.yaml'), 'utf8')) as {
    groups: { name: string; rules: AlertRule[] }[];
  };
  const rules = file.groups.flatMap((group) => group.rules);

  it('is a rule file of named groups of alerts, each with a severity and a summary', () => {
    expect(file.groups.length).toBeGreaterThan(0);
    expect(new Set(rules.map((rule) => rule.alert)).size).toBe(rules.length);
    for (const rule of rules) {
      expect(rule).toMatchObject({
        alert: expect.stringMatching(/^Waybill[A-Za-z]+$/) as unknown,
        expr: expect.any(String) as unknown,
        labels: { severity: expect.stringMatching(/^(critical|warning|info)$/) as unknown },
        annotations: { summary: expect.any(String) as unknown },
      });
      if (rule.for !== undefined) {
        expect(rule.for).toMatch(/^\d+[smhd]$/);
      }
    }
  });

  it('has expressions that Prometheus parses, over metrics the services export', () => {
    for (const rule of rules) {
      checkExpression(String(rule.alert), String(rule.expr));
    }
  });

  it('watches what the promise rests on: outbox age, dead letters, consumer lag, 5xx and webhook signatures', () => {
    const watched = rules.flatMap((rule) => readPromQl(String(rule.expr)).metrics);
    expect(watched).toEqual(
      expect.arrayContaining([
        'waybill_outbox_oldest_age_seconds',
        'waybill_dead_letters_total',
        'waybill_consumer_lag_messages',
        'waybill_http_request_duration_seconds_count',
        'waybill_webhooks_total',
      ]),
    );
  });
});

describe('Grafana dashboard (deploy/observability/grafana-dashboard.json)', () => {
  const dashboard = JSON.parse(readFileSync(path.join(OBSERVABILITY, 'grafana-dashboard.json'), 'utf8')) as {
    uid: string;
    title: string;
    panels: DashboardPanel[];
    templating: { list: { name: string }[] };
  };
  const graphs = dashboard.panels.filter((panel) => panel.type !== 'row');

  it('has unique panel ids on a 24-column grid, and a datasource variable every query uses', () => {
    expect(dashboard.uid).toBe('waybill-overview');
    expect(new Set(dashboard.panels.map((panel) => panel.id)).size).toBe(dashboard.panels.length);
    for (const panel of dashboard.panels) {
      expect(panel.gridPos.x + panel.gridPos.w).toBeLessThanOrEqual(24);
    }
    expect(dashboard.templating.list.map((variable) => variable.name)).toEqual(['datasource', 'service']);
    for (const panel of graphs) {
      expect(panel.datasource?.uid).toBe('${datasource}');
    }
  });

  it('queries with valid PromQL over metrics the services export', () => {
    expect(graphs.length).toBeGreaterThan(10);
    for (const panel of graphs) {
      expect(panel.targets?.length).toBeGreaterThan(0);
      for (const target of panel.targets ?? []) {
        checkExpression(panel.title, target.expr);
      }
    }
  });
});
