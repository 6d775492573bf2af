export * from './param-layout';
export * from './init';
export * from './lr-schedule';
export * from './mlp-network';
export * from './trainer';
export * from './checkpoint';
export * from './mask-rules';
export * from './from-config';
