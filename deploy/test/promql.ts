// PromQL found in the dashboards, alert rules and chart: parsed with Prometheus's own grammar
// (@prometheus-io/lezer-promql) and reduced to the metric names it reads.
import { parser } from '@prometheus-io/lezer-promql';

export interface PromqlAnalysis {
  /** Syntax errors, each with the offending text; empty when the expression parses. */
  errors: string[];
  metricNames: Set<string>;
}

/** Grafana's built-in interval variables stand where PromQL expects a duration. */
const GRAFANA_DURATIONS = /\$__(rate_interval|interval|range)\b|\$\{__(rate_interval|interval|range)\}/g;

export function expandGrafanaVariables(expr: string): string {
  return expr.replace(GRAFANA_DURATIONS, '5m');
}

export function analysePromql(expr: string): PromqlAnalysis {
  const errors: string[] = [];
  const metricNames = new Set<string>();
  const tree = parser.parse(expr);
  tree.iterate({
    enter(node) {
      if (node.type.isError) {
        errors.push(`syntax error at ${node.from}: …${expr.slice(Math.max(0, node.from - 20), node.to + 20)}…`);
      } else if (node.name === 'Identifier' && node.node.parent?.name === 'VectorSelector') {
        metricNames.add(expr.slice(node.from, node.to));
      } else if (node.name === 'LabelName' && expr.slice(node.from, node.to) === '__name__') {
        errors.push('selects by __name__: name the metric so the metric check can see it');
      }
    },
  });
  return { errors, metricNames };
}

/** `# TYPE` lines of a Prometheus text exposition → every series name a scrape can hold. */
export function exportedSeriesNames(exposition: string): Set<string> {
  const names = new Set<string>();
  for (const match of exposition.matchAll(/^# TYPE (\S+) (\S+)$/gm)) {
    const [, name, type] = match as unknown as [string, string, string];
    names.add(name);
    if (type === 'histogram') for (const suffix of ['_bucket', '_sum', '_count']) names.add(name + suffix);
    if (type === 'summary') for (const suffix of ['_sum', '_count']) names.add(name + suffix);
  }
  return names;
}

export interface PromqlSource {
  /** Where the expression lives, for failure messages. */
  where: string;
  expr: string;
}

interface DashboardPanel {
  title?: string;
  targets?: { expr?: string }[];
  panels?: DashboardPanel[];
}
interface DashboardVariable {
  name: string;
  type: string;
  query?: string | { query?: string };
}
export interface Dashboard {
  title: string;
  panels: DashboardPanel[];
  templating: { list: DashboardVariable[] };
}

/** Every query of a dashboard: panel targets and query variables (`label_values(sel, label)` → `sel`). */
export function dashboardExpressions(dashboard: Dashboard): PromqlSource[] {
  const found: PromqlSource[] = [];
  const walk = (panels: DashboardPanel[]) => {
    for (const panel of panels) {
      for (const target of panel.targets ?? []) {
        if (target.expr) found.push({ where: `${dashboard.title} / ${panel.title ?? '?'}`, expr: expandGrafanaVariables(target.expr) });
      }
      walk(panel.panels ?? []);
    }
  };
  walk(dashboard.panels);
  for (const variable of dashboard.templating.list.filter((v) => v.type === 'query')) {
    const query = typeof variable.query === 'string' ? variable.query : (variable.query?.query ?? '');
    const labelValues = /^label_values\((.*),\s*\w+\)$/s.exec(query);
    const queryResult = /^query_result\((.*)\)$/s.exec(query);
    const expr = labelValues?.[1] ?? queryResult?.[1] ?? `unsupported variable query: ${query}`;
    found.push({ where: `${dashboard.title} / $${variable.name}`, expr: expandGrafanaVariables(expr) });
  }
  return found;
}
