export { ANALYST_PAGE_CSP, ANALYST_PAGE_HTML, PAGE_FEATURE_COLUMNS } from './analyst-page';
export { InferenceHttpModule, type InferenceHttpOptions } from './http.module';
export { setupOpenApi } from './openapi';
export {
  PredictInputError,
  rowsFromCsv,
  rowsFromJson,
  type InputRow,
  type PredictInput,
  type PredictInputErrorCode,
} from './predict-input';
export {
  DEFAULT_PREDICT_LIMITS,
  PREDICT_LIMITS,
  predictLimitsSection,
  type PredictLimits,
} from './predict-limits';
export { MAX_ECHO_COLUMNS, PredictController } from './predict.controller';
