import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { repoRoot } from './tools';

export interface Panel {
  type: string;
  title: string;
  datasource?: { uid?: string };
  targets?: { expr: string }[];
}

export interface Dashboard {
  panels: Panel[];
}

export function readDashboard(): Dashboard {
  return JSON.parse(
    readFileSync(join(repoRoot, 'deploy/grafana/dashboards/netsentry.json'), 'utf8'),
  ) as Dashboard;
}

/** The metric families the dashboard's queries read (histogram series folded into their family). */
export function dashboardMetrics(dashboard: Dashboard): Set<string> {
  const names = new Set<string>();
  for (const panel of dashboard.panels) {
    for (const target of panel.targets ?? []) {
      for (const [name] of target.expr.matchAll(/\bnetsentry_[a-z0-9_]+/g)) {
        names.add(name.replace(/_(bucket|sum|count)$/, ''));
      }
    }
  }
  return names;
}
