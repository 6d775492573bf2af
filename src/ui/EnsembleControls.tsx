// Ensemble and ToST controls. Choosing a mode also sets what that mode needs (EDST: a constant
// base lr and epochs that split into exploration plus one refinement phase per member; a dense
// ensemble: dense members; Prune-and-Tune: a dense parent and half-density children), so one click
// gives a valid run; any other conflict is refused by the schema with the reason.
import { Checkbox, NumberInput, Select, type Edit } from './fields';
import type { ExperimentConfig } from '../state';

type Mode = ExperimentConfig['ensemble']['mode'];

/** The config changes that make `mode` runnable from `c`. */
function modeEdits(c: ExperimentConfig, mode: Mode): [string, unknown][] {
  const sparse = c.dst.method === 'dense' ? [['dst.method', 'rigl'] as [string, unknown], ['sparsity.target', c.sparsity.target > 0 ? c.sparsity.target : 0.5] as [string, unknown]] : [];
  const epochs = c.training.epochs;
  switch (mode) {
    case 'none':
      return [['ensemble', { mode: 'none' }]];
    case 'dst':
      return [['ensemble', { mode: 'dst', members: 3 }], ...sparse];
    case 'dense':
      return [['ensemble', { mode: 'dense', members: 3 }], ['dst.method', 'dense'], ['sparsity.target', 0], ['sparsity.mask', { kind: 'random' }]];
    case 'edst': {
      // Exploration ≈ 40 % of the run, then 3 refinement phases of at least 2 epochs.
      const refine = Math.max(2, Math.round((0.6 * epochs) / 3));
      const explore = Math.max(1, Math.round(0.4 * epochs));
      const dstMethod = ['set', 'rigl', 'snfs'].includes(c.dst.method) ? [] : [['dst.method', 'rigl'] as [string, unknown], ['sparsity.target', c.sparsity.target > 0 ? c.sparsity.target : 0.5] as [string, unknown]];
      return [['ensemble', { mode: 'edst', members: 3, explorationEpochs: explore, exploreRate: 0.8, drop: 'constant-0.5' }], ['training.schedule', { kind: 'constant' }], ['training.epochs', explore + 3 * refine], ...dstMethod, ['tost.smoothActivation', { kind: 'off' }], ['tost.ghostSkip.enabled', false]];
    }
    case 'prune-and-tune':
      return [
        ['ensemble', { mode: 'prune-and-tune', members: 4, maskKind: 'anti-random', tuneEpochs: Math.max(1, Math.round(epochs / 5)), includeParent: false }],
        ['dst.method', 'dense'],
        ['sparsity.target', 0.5],
        ['sparsity.mask', { kind: 'random' }],
        ['tost.smoothActivation', { kind: 'off' }],
        ['tost.ghostSkip.enabled', false],
      ];
  }
}

const MODE_HELP: Record<Mode, string> = {
  none: 'One network.',
  dst: 'FreeTickets DST ensemble: M sparse networks trained independently (own seeds for mask, weights and data order); the ensemble averages their probabilities.',
  edst: 'FreeTickets EDST: ONE sparse run explores, then each refinement phase yields a member; a big prune-and-regrow (rate q) between phases pushes the next member elsewhere. Costs about one sparse run.',
  'prune-and-tune': 'Prune-and-Tune: train one dense parent, clone it into M sparse children with different masks, tune them briefly together.',
  dense: 'M dense networks trained independently: the classic deep ensemble, the baseline to beat.',
};

export function EnsembleControls({ config, edit, advanced }: { config: ExperimentConfig; edit: Edit; advanced: boolean }) {
  const e = config.ensemble;
  const setMode = (mode: string) => {
    const [first, ...rest] = modeEdits(config, mode as Mode);
    edit(first![0], first![1], rest);
  };
  const refine = e.mode === 'edst' ? (e.refineEpochs ?? (config.training.epochs - e.explorationEpochs) / e.members) : 0;
  const members = (m: number) => (e.mode === 'edst' ? edit('ensemble.members', m, [['training.epochs', e.explorationEpochs + m * refine], ['ensemble.refineEpochs', undefined]]) : edit('ensemble.members', m));
  return (
    <fieldset>
      <legend>Ensemble</legend>
      <Select
        label="Ensemble"
        help={MODE_HELP[e.mode]}
        value={e.mode}
        options={[['none', 'None (one network)'], ['dst', 'DST ensemble (FreeTickets)'], ['edst', 'EDST ensemble (FreeTickets)'], ['prune-and-tune', 'Prune-and-Tune'], ['dense', 'Dense ensemble']]}
        onChange={setMode}
      />
      {e.mode !== 'none' ? <NumberInput label="Members (M)" help="How many networks vote. More members: better calibrated, slower (each trains on the GPU side by side)." value={e.members} min={2} max={8} step={e.mode === 'prune-and-tune' && e.maskKind === 'anti-random' ? 2 : 1} onChange={members} /> : null}
      {advanced && e.mode === 'edst' ? (
        <>
          <NumberInput label="Exploration epochs" help="The first phase: the sparse network explores masks at the full learning rate before any member is taken." value={e.explorationEpochs} min={1} max={1000} step={1} onChange={(v) => edit('ensemble.explorationEpochs', v, [['training.epochs', v + e.members * refine], ['ensemble.refineEpochs', undefined]])} />
          <NumberInput label="Epochs per refinement phase" help="Each member's phase: lr/10 for the first half, lr/100 for the second; the best validation checkpoint becomes the member." value={refine} min={2} max={1000} step={1} onChange={(v) => edit('training.epochs', e.explorationEpochs + e.members * v, [['ensemble.refineEpochs', undefined]])} />
          <NumberInput label="Global exploration rate q" help="Before members 2…M, prune this share of every layer's weights and regrow as many: 0 gives snapshots of one run (the ablation); 0.8 is FreeTickets'." value={e.exploreRate} min={0} max={0.99} step={0.05} onChange={(v) => edit('ensemble.exploreRate', v)} />
          <Select label="Drop rate during EDST" help="FreeTickets' code keeps the regular drop rate at 0.5 all along; cosine follows this run's own DST schedule." value={e.drop} options={[['constant-0.5', 'Constant 0.5 (released code)'], ['cosine', 'Cosine (RigL)']]} onChange={(v) => edit('ensemble.drop', v)} />
        </>
      ) : null}
      {advanced && e.mode === 'prune-and-tune' ? (
        <>
          <Select label="Child masks" help="Anti-random: pairs of complementary halves of the parent, so together they keep every weight; random: independent masks at the sparsity target." value={e.maskKind} options={[['anti-random', 'Anti-random pairs'], ['random', 'Random']]} onChange={(v) => edit('ensemble.maskKind', v, v === 'anti-random' ? [['sparsity.target', 0.5], ['ensemble.members', e.members + (e.members % 2)]] : [])} />
          <NumberInput label="Tuning epochs" help="How long the children are tuned (one-cycle lr) after the parent's training." value={e.tuneEpochs} min={1} max={1000} step={1} onChange={(v) => edit('ensemble.tuneEpochs', v)} />
          <Checkbox label="Parent votes too" help="Include the dense parent in the ensemble." checked={e.includeParent} onChange={(v) => edit('ensemble.includeParent', v)} />
        </>
      ) : null}
    </fieldset>
  );
}

export function TostControls({ config, edit }: { config: ExperimentConfig; edit: Edit }) {
  const t = config.tost;
  const smooth = t.smoothActivation;
  return (
    <fieldset>
      <legend>Train any mask better (ToST)</legend>
      <Select
        label="Smooth activations"
        help="ReLU layers start as swish (smooth, so gradients reach every weight of a sparse net) and turn back into exact ReLU: the trained network is the plain sparse one."
        value={smooth.kind}
        options={[['off', 'Off (ReLU)'], ['swish', 'Swish, then ReLU'], ['pswish', 'Swish with rising β, then ReLU']]}
        onChange={(v) => edit('tost.smoothActivation', { kind: v })}
      />
      {smooth.kind !== 'off' ? <NumberInput label="Exact ReLU from (fraction of training)" help="When the smooth activation is switched back to ReLU." value={smooth.reluFrom} min={0} max={1} step={0.05} onChange={(v) => edit('tost.smoothActivation.reluFrom', v)} /> : null}
      <Checkbox label="Ghost skip connections" help="A dense bypass around each hidden layer, scaled by α(t) that anneals from 1 to 0: early gradients flow past the sparse layers; the bypass is removed before the end." checked={t.ghostSkip.enabled} onChange={(v) => edit('tost.ghostSkip.enabled', v)} />
      {t.ghostSkip.enabled ? <NumberInput label="Ghosts gone at (fraction of training)" help="When α(t) reaches 0 and the bypass is removed." value={t.ghostSkip.endFraction} min={0} max={1} step={0.05} onChange={(v) => edit('tost.ghostSkip.endFraction', v)} /> : null}
      <NumberInput label="Label smoothing" help="Move this much probability from the true class to the others: softer targets, better-calibrated confidence." value={t.labelSmoothing} min={0} max={0.5} step={0.05} onChange={(v) => edit('tost.labelSmoothing', v)} />
      <Select
        label="Layer-wise re-scaled init"
        help="Rescale each layer's initial weights: closed form multiplies by 1/√density; GradInit learns per-layer scales so the first steps lower the loss."
        value={t.layerRescaledInit.kind}
        options={[['off', 'Off'], ['closed-form', '1/√density'], ['gradinit', 'GradInit (learned)']]}
        onChange={(v) => edit('tost.layerRescaledInit', { kind: v })}
      />
    </fieldset>
  );
}
