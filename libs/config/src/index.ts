export { ConfigError, type ConfigErrorJson, type ConfigProblem } from './errors';
export {
  defineConfig,
  loadConfig,
  maskUrlPassword,
  secretValues,
  type BuildContext,
  type ConfigOf,
  type ConfigSection,
  type Env,
  type Spec,
} from './load';
export * from './validators';
export * from './sections/kafka';
export * from './sections/mongo';
export * from './sections/s3';
export * from './sections/service';
export { buildVersion, readBuildId, BUILD_ID_FILE, type BuildId } from './build-id';
export * from './sections/admin';
