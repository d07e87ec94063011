export * from './engine';
export * from './jobs';
export * from './missing';
export * from './model-bytes';
export * from './models';
export * from './random-forest';
export * from './worker-pool';
export * from './xgboost-model';
export { loadXGBoostWasm, setWasmLogSink, type XGBoostWasm } from './xgboost-wasm';
