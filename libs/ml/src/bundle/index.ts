export * from './model-bundle';
export * from './toy-task';
