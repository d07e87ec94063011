// Helpers for tests and benchmarks, outside the public surface of @netsentry/ml: import them from
// `@netsentry/ml/testing` (or this folder, from inside the package).
export * from './numeric-csv';
export * from './scores';
export * from './split-indices';
export * from './line-task';
export * from './synthetic-task';
export * from './trained-bundle';
