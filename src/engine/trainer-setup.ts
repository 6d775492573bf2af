// What a Trainer is built from and what it reports: the setup of one run (network, members,
// method and schedule, optimizer, data and splits, ToST), the metrics of a step, the held-out
// splits it evaluates on, and the buffers a GPU-drawn mask view reads.
import type { DensityRule, DstSchedule, SparseMethod } from '../sparsity';
import type { InitScheme } from './init';
import type { MaskLayerBuffers } from './layer-storage';
import type { LayerSpec } from './layers';
import type { LrSchedule } from './lr-schedule';
import type { NetworkData } from './network';
import type { StorageSetting } from './storage-choice';
import type { FusedSetting } from './fused-steps';
import type { TostSetup } from './tost';

export type OptimizerSetup =
  | { kind: 'sgd'; momentum: number; nesterov: boolean; weightDecay: number }
  | { kind: 'adam'; beta1: number; beta2: number; eps: number; weightDecay: number; decoupled: boolean };

export interface TrainerSetup {
  /** The network, input first, logits last (see layers.ts: mlpLayers, lenet5CaffeLayers). */
  layers: readonly LayerSpec[];
  members: number;
  batch: number;
  seed: number;
  /** Overall density of the maskable weights (1 = dense). */
  density: number;
  densityRule: DensityRule;
  init: InitScheme;
  sparseAwareInit: boolean;
  method: SparseMethod;
  schedule: DstSchedule;
  portCompatible: boolean;
  optimizer: OptimizerSetup;
  lr: LrSchedule;
  totalSteps: number;
  labelSmoothing: number;
  data: NetworkData;
  trainIdx: Uint32Array;
  /** The test split: what evaluate() reports by default. */
  evalIdx: Uint32Array;
  /** The validation split, when there is one (evaluate('validation'); EDST picks members by it). */
  valIdx?: Uint32Array;
  /** A small fixed probe set (e.g. 256 test examples) for frequent predictions (function-space snapshots). */
  probeIdx?: Uint32Array;
  /** 2-D data: the points of a regular grid (appended to the data) for decision-boundary views. */
  gridIdx?: Uint32Array;
  stepsPerSubmit: number;
  /** How the weight layers keep their weights (storage-choice.ts); 'masked' when absent. */
  storage?: StorageSetting;
  /** Whether ordinary steps of a small MLP run on the fused path (fused-steps.ts); 'auto' when absent. */
  fused?: FusedSetting;
  /** ToST smooth activations and ghost skips (label smoothing is `labelSmoothing`). */
  tost?: TostSetup;
  /**
   * Extra mask updates at given steps with their own drop rate (EDST's global exploration: prune
   * `rate` of each layer's active weights and regrow as many), besides the regular DST schedule.
   */
  explorations?: readonly { step: number; rate: number }[];
}

export interface StepMetrics {
  step: number;
  /** Per member: mean training loss and accuracy of this step's batch. */
  loss: number[];
  accuracy: number[];
  lr: number;
  maskUpdate: boolean;
  /** Cumulative training FLOPs of all members after this step (docs/METHODS.md §1.9 accounting). */
  trainingFlops: number;
  /** trainingFlops / the FLOPs of training the same number of dense members for as many steps. */
  flopsRatio: number;
}

/** Held-out example sets the trainer evaluates on the GPU. */
export type EvalSplit = 'test' | 'validation' | 'probe' | 'grid';

/** The dataset indices of a held-out split. */
export function splitIndices(setup: TrainerSetup, split: EvalSplit): Uint32Array {
  const idx = { test: setup.evalIdx, validation: setup.valIdx, probe: setup.probeIdx, grid: setup.gridIdx }[split];
  return idx ?? new Uint32Array();
}

/** What a GPU-drawn mask view reads (Trainer.maskBuffers): per weight layer, its storage's buffers. */
export interface MaskBuffers {
  device: GPUDevice;
  layers: readonly MaskLayerBuffers[];
}

/** SNFS and the port-compatible style keep momentum for every weight: dense dW every step. */
export function needsDenseState(s: TrainerSetup): boolean {
  return s.method === 'snfs' || s.portCompatible;
}
