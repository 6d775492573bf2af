// Ensembles (docs/ARCHITECTURE.md §2): FreeTickets DST and EDST ensembles, Prune-and-Tune, dense
// ensembles, and the diversity and calibration metrics that compare their members.
export * from './metrics';
export * from './members';
export * from './driver';
export * from './edst-plan';
export * from './edst-driver';
export * from './prune-and-tune-plan';
export * from './prune-and-tune-driver';
export * from './ensemble-run';
export * from './from-config';
export * from './run-figures';
export * from './driver-state';
export * from './preflight';
