import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { TestingModule } from '@nestjs/testing';
import { Registry } from 'prom-client';
import { createLarderModule } from './test-helpers';

/**
 * The operations files (docker-compose.yml, Prometheus, Grafana provisioning and the Larder
 * dashboard) checked against each other and against the metrics the library really registers,
 * so a renamed metric or a moved file breaks a test instead of an empty dashboard.
 */
const ROOT = join(__dirname, '..');
const read = (path: string) => readFileSync(join(ROOT, path), 'utf8');

interface Target {
  expr: string;
  datasource?: { uid?: string };
}
interface Panel {
  type: string;
  title: string;
  datasource?: { uid?: string };
  targets?: Target[];
}
interface Dashboard {
  uid: string;
  title: string;
  panels: Panel[];
  templating: { list: Array<{ name: string; query: { query: string } | string }> };
}

/** Metric names a PromQL expression mentions (histogram series mapped back to their metric). */
function metricsIn(expr: string): string[] {
  return [...expr.matchAll(/\blarder_[a-z_]+/g)].map((m) => m[0].replace(/_(bucket|sum|count)$/, ''));
}

describe('operations files', () => {
  const dashboard = JSON.parse(read('ops/grafana/dashboards/larder.json')) as Dashboard;
  const queryPanels = dashboard.panels.filter((p) => p.type !== 'row');
  let registered: Set<string>;
  let moduleRef: TestingModule;

  beforeAll(async () => {
    const registry = new Registry();
    moduleRef = await createLarderModule({ memory: { maxItems: 10 }, metrics: { registry } });
    registered = new Set(registry.getMetricsAsArray().map((m) => m.name));
  });

  afterAll(async () => {
    await moduleRef?.close();
  });

  it('the dashboard queries only metrics Larder registers, and every metric is shown', () => {
    expect(queryPanels.length).toBeGreaterThanOrEqual(6);
    const used = new Set<string>();
    for (const panel of queryPanels) {
      // The panel title rides along in each assertion so a failure says which panel is wrong.
      expect({ panel: panel.title, hasTargets: (panel.targets?.length ?? 0) > 0 }).toEqual({
        panel: panel.title,
        hasTargets: true,
      });
      for (const target of panel.targets ?? []) {
        const names = metricsIn(target.expr);
        expect({ expr: target.expr, namesAMetric: names.length > 0 }).toEqual({
          expr: target.expr,
          namesAMetric: true,
        });
        for (const name of names) {
          expect({ panel: panel.title, metric: name, registered: registered.has(name) }).toMatchObject({
            registered: true,
          });
          used.add(name);
        }
      }
    }
    expect([...registered].filter((name) => !used.has(name))).toEqual([]);
    for (const variable of dashboard.templating.list) {
      const query = typeof variable.query === 'string' ? variable.query : variable.query.query;
      for (const name of metricsIn(query)) expect(registered.has(name)).toBe(true);
    }
  });

  it('the dashboard has the panels the issue asks for', () => {
    const titles = queryPanels.map((p) => p.title.toLowerCase());
    for (const wanted of [
      'hit ratio',
      'operations per second',
      'p99 latency',
      'lock contention',
      'rate-limit blocks',
      'l1 items',
    ]) {
      expect(titles.some((t) => t.includes(wanted))).toBe(true);
    }
    const p99 = queryPanels.find((p) => p.title.toLowerCase().includes('p99'));
    expect(p99?.targets?.[0].expr).toMatch(/histogram_quantile\(0\.99, .*\boperation\b/);
  });

  it('every panel uses the provisioned Prometheus datasource', () => {
    const datasources = read('ops/grafana/provisioning/datasources/prometheus.yml');
    const uid = /^\s+uid:\s*(\S+)\s*$/m.exec(datasources)?.[1];
    expect(uid).toBeDefined();
    expect(datasources).toMatch(/url:\s*http:\/\/prometheus:9090/);
    for (const panel of queryPanels) {
      expect({ panel: panel.title, uid: panel.datasource?.uid }).toEqual({ panel: panel.title, uid });
      for (const target of panel.targets ?? []) expect(target.datasource?.uid).toBe(uid);
    }
  });

  it('Prometheus scrapes the demo service at /metrics', () => {
    const prometheus = read('ops/prometheus/prometheus.yml');
    expect(prometheus).toMatch(/metrics_path:\s*\/metrics/);
    expect(prometheus).toMatch(/targets:\s*\[\s*"demo:3000"\s*\]/);
  });

  it('docker-compose.yml runs the four services and mounts files that exist', () => {
    const compose = read('docker-compose.yml');
    for (const service of ['redis', 'demo', 'prometheus', 'grafana']) {
      expect(compose).toMatch(new RegExp(`^  ${service}:$`, 'm'));
    }
    const mounts = [...compose.matchAll(/^\s+- \.\/(\S+?):\/\S+$/gm)].map((m) => m[1]);
    expect(mounts).toEqual(
      expect.arrayContaining([
        'ops/prometheus/prometheus.yml',
        'ops/grafana/provisioning',
        'ops/grafana/dashboards',
      ]),
    );
    for (const mount of mounts)
      expect({ mount, exists: existsSync(join(ROOT, mount)) }).toEqual({ mount, exists: true });
    const provider = read('ops/grafana/provisioning/dashboards/larder.yml');
    expect(provider).toContain('path: /var/lib/grafana/dashboards');
    expect(compose).toContain('./ops/grafana/dashboards:/var/lib/grafana/dashboards');

    // `docker-compose config` itself runs in .ci/run (the Debian package needs no engine), so
    // `npm test` does not require docker-compose on a developer's machine.
  });
});
