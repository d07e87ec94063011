/** Collection names of the registry; one place so operators and tests agree. */
export const COLLECTIONS = {
  runs: 'runs',
  stageExecutions: 'stageExecutions',
  stageExecutionLog: 'stageExecutionLog',
  artifacts: 'artifacts',
  models: 'models',
  trials: 'trials',
  aliases: 'aliases',
  aliasHistory: 'aliasHistory',
  transitions: 'transitions',
  adminNonces: 'adminNonces',
} as const;
