export * from './acceptance';
export * from './metrics';
export * from './report';
