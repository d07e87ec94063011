export { LOGGER, OBSERVABILITY_OPTIONS, REDACTED } from './constants';
export {
  HealthCheckTimeoutError,
  HealthRegistry,
  type CheckResult,
  type HealthCheck,
  type HealthRegistryOptions,
  type LivenessReport,
  type ReadinessReport,
  type RegisterOptions,
} from './health/health-registry';
export { logContext, withContext, type LogContext } from './logging/context';
export { createLogger, LOG_LEVELS, type Logger, type LoggerOptions, type LogLevel } from './logging/logger';
export { CapturingStream } from './logging/capturing-stream';
export { duplicateKeys } from './logging/json-keys';
export { NestPinoLogger } from './logging/nest-logger';
export {
  createScrubber,
  MIN_SCRUBBED_SECRET_LENGTH,
  REDACT_PATHS,
  scrubUrlCredentials,
} from './logging/redaction';
export {
  DURATION_BUCKETS,
  FAILURE_REASONS,
  MetricConflictError,
  Metrics,
  type FailureReason,
  type MetricsOptions,
} from './metrics/metrics';
export { ObservabilityController } from './nest/observability.controller';
export { ObservabilityModule, type ObservabilityOptions } from './nest/observability.module';
export { Progress, type PhaseProgress, type ProgressLogger, type ProgressOptions } from './progress/progress';
