import { serviceSpecs } from '@netsentry/contracts';
import { describe, expect, it } from 'vitest';
import { DRAIN_SECONDS, PRESTOP_SECONDS } from '../generate.mjs';
import { kustomize, run, tool, yamlDocuments } from './tools';

// deploy/k8s renders with kustomize (kubectl kustomize) and every object decodes strictly into the
// Kubernetes API types (deploy/tools/k8s-strict: k8s.io/api, unknown fields and wrong types fail).

interface Container {
  name: string;
  image: string;
  readinessProbe?: { httpGet?: { path: string } };
  livenessProbe?: { httpGet?: { path: string } };
  lifecycle?: { preStop?: unknown };
  resources?: { requests?: Record<string, string>; limits?: Record<string, string> };
  securityContext?: {
    allowPrivilegeEscalation?: boolean;
    readOnlyRootFilesystem?: boolean;
    runAsNonRoot?: boolean;
    capabilities?: { drop?: string[] };
  };
  env?: { name: string; value?: string }[];
}
interface PodSpec {
  containers: Container[];
  terminationGracePeriodSeconds?: number;
  securityContext?: { runAsNonRoot?: boolean };
  automountServiceAccountToken?: boolean;
}
interface K8sObject {
  apiVersion: string;
  kind: string;
  metadata: { name: string; namespace?: string };
  spec?: {
    replicas?: number;
    minReplicas?: number;
    maxReplicas?: number;
    scaleTargetRef?: { kind: string; name: string };
    template?: { spec: PodSpec };
    selector?: { matchLabels?: Record<string, string> };
  };
  data?: Record<string, string>;
}

const overlays = ['dev', 'prod'] as const;
const rendered = Object.fromEntries(
  overlays.map((o) => {
    const r = kustomize(`deploy/k8s/overlays/${o}`);
    if (r.status !== 0) throw new Error(`kustomize ${o} failed: ${r.stderr}`);
    return [o, r.stdout];
  }),
) as Record<(typeof overlays)[number], string>;

const SECRET_KEY = /PASSWORD|SECRET|ACCESS_KEY|MONGO_URI|SASL/;

describe.each(overlays)('deploy/k8s/overlays/%s', (overlay) => {
  const objects = yamlDocuments<K8sObject>(rendered[overlay]);

  it('decodes strictly into the Kubernetes API types, every object', () => {
    const result = run(tool('k8s-strict'), [], { input: rendered[overlay] });
    expect(result.stderr).toBe('');
    expect(result.status).toBe(0);
    expect(result.stdout.trim().split('\n')).toHaveLength(objects.length);
  });

  it('puts everything in one namespace and commits no secret value', () => {
    const namespaces = new Set(objects.map((o) => o.metadata.namespace));
    expect(namespaces.size).toBe(1);
    expect([...namespaces][0]).toMatch(/^netsentry/);
    expect(objects.filter((o) => o.kind === 'Secret')).toEqual([]);
    for (const cm of objects.filter((o) => o.kind === 'ConfigMap')) {
      expect(Object.keys(cm.data ?? {}).filter((k) => SECRET_KEY.test(k))).toEqual([]);
    }
  });

  it('runs every workload non-root, read-only, unprivileged, with probes, resources and a drain budget', () => {
    const workloads = objects.filter((o) => o.kind === 'StatefulSet' || o.kind === 'Job');
    expect(workloads.length).toBe(serviceSpecs().length + 1);
    for (const w of workloads) {
      const pod = w.spec!.template!.spec;
      expect(pod.securityContext?.runAsNonRoot, w.metadata.name).toBe(true);
      expect(pod.automountServiceAccountToken, w.metadata.name).toBe(false);
      for (const c of pod.containers) {
        expect(c.securityContext, `${w.metadata.name}/${c.name}`).toMatchObject({
          allowPrivilegeEscalation: false,
          readOnlyRootFilesystem: true,
          runAsNonRoot: true,
          capabilities: { drop: ['ALL'] },
        });
        expect(c.resources?.requests?.cpu, c.name).toBeDefined();
        expect(c.resources?.limits?.memory, c.name).toBeDefined();
      }
      if (w.kind !== 'StatefulSet') continue;
      const [c] = pod.containers;
      expect(c!.readinessProbe?.httpGet?.path, w.metadata.name).toBe('/readyz');
      expect(c!.livenessProbe?.httpGet?.path, w.metadata.name).toBe('/healthz');
      expect(c!.lifecycle?.preStop, w.metadata.name).toBeDefined();
      expect(pod.terminationGracePeriodSeconds!).toBeGreaterThan(PRESTOP_SECONDS + DRAIN_SECONDS);
    }
  });

  it('pins every image to a tag', () => {
    for (const w of objects.filter((o) => o.spec?.template !== undefined)) {
      for (const c of w.spec!.template!.spec.containers) expect(c.image, c.name).toMatch(/:[\w.-]+$/);
    }
  });

  it('scales inference with an autoscaler and a disruption budget, within its partitions', () => {
    const hpa = objects.find((o) => o.kind === 'HorizontalPodAutoscaler');
    expect(hpa?.spec?.scaleTargetRef).toEqual({
      apiVersion: 'apps/v1',
      kind: 'StatefulSet',
      name: 'inference',
    });
    expect(hpa!.spec!.maxReplicas!).toBeLessThanOrEqual(12);
    expect(hpa!.spec!.minReplicas!).toBeLessThanOrEqual(hpa!.spec!.maxReplicas!);
    const inference = objects.find((o) => o.kind === 'StatefulSet' && o.metadata.name === 'inference');
    expect(inference?.spec?.replicas, 'the autoscaler owns the replica count').toBeUndefined();
    const pdb = objects.find((o) => o.kind === 'PodDisruptionBudget');
    expect(pdb?.spec?.selector?.matchLabels?.['app.kubernetes.io/name']).toBe('inference');
  });

  it('monitors and alerts through prometheus-operator, and fences the network', () => {
    const kinds = new Set(objects.map((o) => o.kind));
    for (const kind of ['ServiceMonitor', 'PrometheusRule', 'NetworkPolicy', 'Job'])
      expect(kinds).toContain(kind);
  });
});

describe('the strict decoder', () => {
  it('rejects an unknown field and a wrong type, so the checks above can fail', () => {
    const unknown = rendered.dev.replace('terminationGracePeriodSeconds:', 'terminationGracePeriod:');
    const bad = run(tool('k8s-strict'), [], { input: unknown });
    expect(bad.status).toBe(1);
    expect(bad.stderr).toMatch(/unknown field "spec.template.spec.terminationGracePeriod"/);
    const wrongType = rendered.dev.replace(/containerPort: \d+/, 'containerPort: http');
    const bad2 = run(tool('k8s-strict'), [], { input: wrongType });
    expect(bad2.status).toBe(1);
    expect(bad2.stderr).toMatch(/containerPort/);
  });
});
