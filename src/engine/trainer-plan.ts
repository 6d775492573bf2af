// How a trainer setup maps onto the network: the options the network is built with (optimizer
// flag bits, the prune and grow rules of the method, the held-out sets, the regrowth seed) and the
// per-step values each step of a chunk reads from its own params slot.
import { streamSeed } from '../config';
import { stepsPerEpoch } from '../data';
import { GROW_RULES, METHOD_RULES, type ScoreRule } from './mask-rules';
import type { NetworkOptions, StepParams } from './network';
import type { ParamLayout } from './param-layout';
import type { ForwardParams } from './trainer-reads';
import { needsDenseState, type TrainerSetup } from './trainer-setup';

export function networkOptions(setup: TrainerSetup, layout: ParamLayout): NetworkOptions {
  const o = setup.optimizer;
  // Optimizer flag bits (shaders/optimizer.wgsl): nesterov 1, dense state 2, decoupled decay 4.
  const flags = (o.kind === 'sgd' && o.nesterov ? 1 : 0) | (needsDenseState(setup) ? 2 : 0) | (o.kind === 'adam' && o.decoupled ? 4 : 0);
  const rules = METHOD_RULES[setup.method] ?? { prune: 'magnitude', grow: 'gradient' }; // unused when null
  const spe = stepsPerEpoch(setup.trainIdx.length, setup.batch);
  return {
    specs: setup.layers,
    layout,
    batch: setup.batch,
    slots: setup.stepsPerSubmit,
    indexStride: spe * setup.batch,
    evalSets: { test: setup.evalIdx, validation: setup.valIdx ?? new Uint32Array(), probe: setup.probeIdx ?? new Uint32Array(), grid: setup.gridIdx ?? new Uint32Array() },
    data: setup.data,
    labelSmoothing: setup.labelSmoothing,
    optimizer: o.kind,
    optimizerFlags: flags,
    ...rules,
    // Random regrowth hashes (seed, step, member, layer, index) on the GPU; one 'regrow' seed.
    seed: streamSeed(setup.seed, 0, 'regrow'),
  };
}

/**
 * The values step `t` reads from params slot `slot` of its chunk: where its batch starts in the
 * epoch's index rows, the learning rate, the optimizer's hyperparameters and Adam's bias
 * corrections after `optimizerSteps` optimizer steps, and the ToST forward settings.
 */
export function stepParamsAt(s: TrainerSetup, at: { t: number; slot: number; indexOffset: number; lr: number; optimizerSteps: number }, forward: ForwardParams): StepParams {
  const o = s.optimizer;
  const b1 = o.kind === 'adam' ? o.beta1 : 0.9;
  const b2 = o.kind === 'adam' ? o.beta2 : 0.999;
  return {
    indexOffset: at.indexOffset,
    ringSlot: at.slot,
    lr: at.lr,
    momentum: o.kind === 'sgd' ? o.momentum : 0,
    weightDecay: o.weightDecay,
    beta1: b1,
    beta2: b2,
    eps: o.kind === 'adam' ? o.eps : 1e-8,
    bc1: 1 - b1 ** Math.max(1, at.optimizerSteps),
    bc2: 1 - b2 ** Math.max(1, at.optimizerSteps),
    ...forward,
  };
}

/** Whether a mask update step computes the dense dW: only where the growth scores read it (RigL), not for SET's random growth. */
export function denseGradientOnUpdates(setup: Pick<TrainerSetup, 'method'>): boolean {
  const rules = METHOD_RULES[setup.method];
  return rules !== null && (GROW_RULES[rules.grow] as ScoreRule).denseGradient === true;
}
