import {
  LATEST_SCHEMA_VERSION,
  rootEnvelope,
  signAdminCommand,
  type AdminCommand,
  type DriftAlert,
  type Producer,
} from '@netsentry/contracts';
import {
  DriftRetrainPolicy,
  LiveDriftMonitor,
  type DriftDecision,
  type Frame,
  type LiveDriftReport,
} from '@netsentry/ml';
import type { InferenceSettings } from '../inference.config';

/** What one evaluation asks the batch to emit, in its transaction. */
export interface DriftEmission {
  readonly alert: DriftAlert;
  readonly retrain: AdminCommand | null;
  readonly decision: DriftDecision;
  readonly report: LiveDriftReport;
}

/**
 * Live drift of the served model's traffic: a sliding window against the bundle's training profile
 * (LiveDriftMonitor), evaluated at most every `evaluateEveryMs` (and whenever a whole window of new
 * records has arrived since the last evaluation), and the alert/retrain policy that turns a
 * drifted window into one `monitoring.drift` event and, when enabled, one RETRAIN per cooldown. A new model
 * starts a new window; the policy (and its cooldown) outlives model swaps.
 */
export class DriftWatch {
  private monitor: LiveDriftMonitor | null = null;
  private modelVersion: string | null = null;
  private lastEvaluation = 0;
  /** Records observed since the last evaluation (or since the window restarted). */
  private sinceEvaluation = 0;
  private readonly policy: DriftRetrainPolicy;
  latest: LiveDriftReport | null = null;

  constructor(
    private readonly settings: InferenceSettings['drift'],
    private readonly producer: Producer,
    private readonly dataset: string,
    /** Signs the RETRAIN (NETSENTRY_ADMIN_SECRET); null while automatic retraining is off. */
    private readonly adminSecret: string | null,
  ) {
    this.policy = new DriftRetrainPolicy({ enabled: settings.retrain, cooldownMs: settings.cooldownMs });
  }

  /** Adds a scored batch to the window; returns what to emit when this evaluation alerts. */
  observe(
    model: {
      version: string;
      bundle: { referenceProfile: ConstructorParameters<typeof LiveDriftMonitor>[0] };
    },
    frame: Frame,
    observedAt: ArrayLike<number>,
    now: number,
  ): { report: LiveDriftReport | null; emission: DriftEmission | null } {
    if (!this.settings.enabled || frame.rows === 0) return { report: null, emission: null };
    if (this.modelVersion !== model.version || this.monitor === null) {
      const names = new Set(frame.columns.map((c) => c.name));
      const profile = model.bundle.referenceProfile;
      this.monitor = new LiveDriftMonitor(profile, {
        windowSize: this.settings.windowSize,
        numericThreshold: this.settings.numericThreshold,
        categoricalThreshold: this.settings.categoricalThreshold,
        shareThreshold: this.settings.shareThreshold,
        columns: profile.columns.map((c) => c.name).filter((n) => names.has(n)),
      });
      this.modelVersion = model.version;
      this.latest = null;
      this.sinceEvaluation = 0;
    }
    this.monitor.observe(frame, observedAt);
    this.sinceEvaluation += frame.rows;
    // At most every evaluateEveryMs — and always once a whole window of new records has arrived since the
    // last evaluation. Evaluations happen on a batch, so without the second rule a burst that arrives and
    // ends within one interval of the previous evaluation would never be looked at (no later batch comes).
    const due =
      now - this.lastEvaluation >= this.settings.evaluateEveryMs ||
      this.sinceEvaluation >= this.settings.windowSize;
    if (!due) return { report: null, emission: null };
    this.lastEvaluation = now;
    this.sinceEvaluation = 0;
    const report = this.monitor.evaluate();
    this.latest = report;
    const decision = this.policy.decide(report, now);
    // Committed at once, not after the batch's transaction: partitions are scored concurrently, and two
    // batches deciding from the same state would both alert. A transaction that then fails loses this
    // alert (at most one RETRAIN per cooldown, never two).
    this.policy.commit(decision);
    if (report === null || !decision.alert) return { report, emission: null };
    const envelope = rootEnvelope('monitoring.drift', { producer: this.producer, occurredAt: now });
    let retrain: AdminCommand | null = null;
    if (decision.action === 'RETRAIN_REQUESTED' && this.adminSecret !== null) {
      const drifted = report.features.filter((f) => f.drifted).map((f) => f.feature);
      retrain = signAdminCommand(
        {
          envelope: {
            ...rootEnvelope('admin.commands', { producer: this.producer, occurredAt: now }),
            correlationId: envelope.correlationId,
            causationId: envelope.eventId,
          },
          command: 'RETRAIN',
          reason: `live drift on ${model.version}: ${drifted.length} of ${report.features.length} features drifted (share ${report.shareDrifted.toFixed(2)} ≥ ${report.shareThreshold}): ${drifted.slice(0, 8).join(', ')}${drifted.length > 8 ? ', …' : ''}`,
          requestedBy: 'inference',
          targetModelVersion: null,
          datasetName: this.dataset,
        },
        this.adminSecret,
        now,
      );
    }
    const alert: DriftAlert = {
      envelope: { ...envelope, schemaVersion: LATEST_SCHEMA_VERSION['monitoring.drift'] },
      modelVersion: model.version,
      windowSize: report.windowSize,
      windowStart: report.windowStart ?? now,
      windowEnd: report.windowEnd ?? now,
      features: report.features.map((f) => ({
        feature: f.feature,
        statistic: f.statistic,
        value: f.value,
        threshold: f.threshold,
        drifted: f.drifted,
      })),
      shareDrifted: report.shareDrifted,
      shareThreshold: report.shareThreshold,
      action: decision.action,
      retrainCommandId: retrain?.envelope.eventId ?? null,
    };
    return { report, emission: { alert, retrain, decision, report } };
  }
}
