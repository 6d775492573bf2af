export * from './gpu-status';
export * from './store';
export * from './history';
export * from './session';
export { SPEED_MAX } from './chunk-pacer';
export * from './views';
export * from './timeline';
export * from './ensemble-view';
export * from './lessons';
export * from './lesson-progress';
export * from './lesson-claims';
export * from './finished-runs';
export * from './method-help';
export * from './compare';
export * from './saved-run';
export * from './run-db';
// What the UI needs of the config layer (ui imports values from state and viz only).
export { parseConfig, encodeConfig, decodeConfig, defaultConfig, liveSparsityRefusal, withPath } from '../config';
export type { ExperimentConfig } from '../config';
