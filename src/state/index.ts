export * from './gpu-status';
export * from './store';
