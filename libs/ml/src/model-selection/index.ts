// Model selection over the engines: stratified folds, each fold's training part rebalanced on its own,
// cross-validation of one configuration, the refit of the chosen one. What to search (spaces, sampling,
// successive halving) is the trainer's.
export { engineParams, type ParamSet, type ParamValue } from './engine-params';
export {
  buildFolds,
  foldShare,
  indexFolds,
  nestedShare,
  stratifiedKFold,
  stratifiedSample,
  type CvFold,
  type Fold,
} from './folds';
export {
  rebalanceFolds,
  type FoldResampling,
  type FoldResamplingReport,
  type ResampleRunner,
} from './fold-rebalancing';
export {
  crossValidate,
  cvFolds,
  metricOf,
  type CrossValidateInput,
  type CrossValidation,
  type CvFolds,
  type CvFoldsInput,
  type EarlyStoppingSpec,
  type JobRunner,
} from './cross-validation';
export { refit, type RefitTrial } from './refit';
