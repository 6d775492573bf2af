// The experiment controls: every field a learner changes, each with a one-line explanation of
// what it does and what to expect. A change is checked by the config schema; a refused change
// shows why and changes nothing. The sparsity slider acts on the running network where the method
// can follow it, and otherwise says that a new value restarts the run.
import { useEffect, useRef, useState } from 'react';
import { applyConfigInput, withField } from './config-edit';
import { EnsembleControls, TostControls } from './EnsembleControls';
import { Field, NumberInput, Select, type Edit } from './fields';
import { useAppState } from './use-app-state';
import { liveSparsityRefusal, type ExperimentConfig } from '../state';

/**
 * The global sparsity. On a dynamic run (SET, RigL, SNFS) it acts live: each layer's target
 * changes and the next mask update reaches it exactly. Where the run cannot follow it
 * (liveSparsityRefusal: static masks, lottery tickets, EDST, Prune-and-Tune) the slider says so
 * next to it and a released value rebuilds the run at the new sparsity (one rebuild per release,
 * not one per pixel dragged).
 */
function SparsitySlider({ config, edit }: { config: ExperimentConfig; edit: Edit }) {
  const density = useAppState((s) => s.run.overallDensity);
  const refusal = liveSparsityRefusal(config);
  const [draft, setDraft] = useState<number | null>(null);
  const ref = useRef<HTMLInputElement>(null);
  const commit = useRef(edit);
  commit.current = edit;
  const restarts = refusal !== null;
  useEffect(() => {
    const el = ref.current;
    if (!el || !restarts) return;
    // The native change event fires once, when the thumb is released (or per key press).
    const onRelease = () => {
      setDraft(null);
      commit.current('sparsity.target', Number(el.value));
    };
    el.addEventListener('change', onRelease);
    return () => el.removeEventListener('change', onRelease);
  }, [restarts]);
  const target = draft ?? config.sparsity.target;
  const label = restarts ? `Sparsity: ${(target * 100).toFixed(0)} % (a new value restarts the run)` : `Sparsity: ${(target * 100).toFixed(0)} % (density now ${(density * 100).toFixed(1)} %)`;
  const help = restarts ? refusal : "The fraction of weights that are zero. Moving it while training changes each layer's target; the next mask update prunes or grows to reach it exactly.";
  return (
    <Field label={label} help={help}>
      {(id, helpId) => (
        <input
          ref={ref}
          id={id}
          aria-describedby={helpId}
          type="range"
          min={0.05}
          max={0.99}
          step={0.01}
          value={target}
          data-testid="sparsity-slider"
          data-live={restarts ? 'restarts' : 'live'}
          onChange={(e) => (restarts ? setDraft(Number(e.target.value)) : edit('sparsity.target', Number(e.target.value)))}
        />
      )}
    </Field>
  );
}

export function Controls() {
  const config = useAppState((s) => s.config);
  const [errors, setErrors] = useState<string[]>([]);
  const edit: Edit = (path, value, extra = []) => {
    let input = withField(config, path, value) as ExperimentConfig;
    for (const [p, v] of extra) input = withField(input, p, v) as ExperimentConfig;
    const r = applyConfigInput(input as unknown as Record<string, unknown>, { live: path === 'sparsity.target' });
    setErrors(r.ok ? [] : r.errors);
  };
  const d = config.data;
  const m = config.model;
  const points = d.dataset !== 'mnist' && d.dataset !== 'fashion-mnist';
  const sparse = config.dst.method !== 'dense';
  // Classroom mode hides the advanced controls (the teacher's settings stay in effect).
  const advanced = !useAppState((s) => s.classroom);
  return (
    <form className="controls" onSubmit={(e) => e.preventDefault()} aria-label="Experiment settings">
      {errors.length > 0 ? (
        <div className="controls__errors" role="alert">
          <strong>That change was not applied:</strong>
          <ul>
            {errors.map((e) => (
              <li key={e}>{e}</li>
            ))}
          </ul>
        </div>
      ) : null}
      <fieldset>
        <legend>Data</legend>
        <Select
          label="Dataset"
          help="2-D datasets train in seconds and show a decision boundary; MNIST and Fashion-MNIST are real 28×28 images."
          value={d.dataset}
          options={[['spiral', 'Spiral'], ['moons', 'Two moons'], ['circles', 'Circles'], ['xor', 'XOR'], ['blobs', 'Gaussian blobs'], ['user', 'Draw your own'], ['mnist', 'MNIST digits'], ['fashion-mnist', 'Fashion-MNIST']]}
          onChange={(v) => edit('data', { dataset: v }, v === 'mnist' || v === 'fashion-mnist' ? [['model', { kind: 'lenet-300-100' }], ['training.batchSize', 128], ['training.epochs', 3]] : [['model', { kind: 'mlp' }]])}
        />
        {points && 'noise' in d ? <NumberInput label="Noise" help="How far points stray from the clean shape: more noise, a harder boundary." value={d.noise} min={0} max={1} step={0.05} onChange={(v) => edit('data.noise', v)} /> : null}
        {'test' in d ? <NumberInput label="Test fraction" help="Share of the points held out to measure generalisation (rings on the plane); they are never trained on." value={d.test} min={0} max={0.5} step={0.05} onChange={(v) => edit('data.test', v)} /> : null}
      </fieldset>
      <fieldset>
        <legend>Model</legend>
        {m.kind === 'mlp' ? (
          <>
            <Field label="Hidden layers" help="Widths of the hidden layers, comma-separated (e.g. 32, 32). Wider layers give sparse training more connections to choose from. Above 1,024 a layer trains sparse on the sparse storage only (up to 16,384; a network too large for the tab is refused with the reason); a layer of more than about a million connections is drawn one pixel per block of connections.">
              {(id, helpId) => (
                <input
                  id={id}
                  aria-describedby={helpId}
                  defaultValue={m.hidden.join(', ')}
                  key={m.hidden.join(',')}
                  onBlur={(e) => edit('model.hidden', e.target.value.split(',').map((s) => Number(s.trim())).filter((n) => n > 0))}
                />
              )}
            </Field>
            {advanced ? <Select label="Activation" help="The hidden layers' nonlinearity. ReLU is what the sparse-training papers use." value={m.activation} options={[['relu', 'ReLU'], ['tanh', 'tanh'], ['swish', 'swish'], ['pswish', 'parametric swish']]} onChange={(v) => edit('model.activation', v)} /> : null}
          </>
        ) : (
          <Select label="Network" help="The classic sparse-training benchmarks on 28×28 images." value={m.kind} options={[['lenet-300-100', 'LeNet-300-100'], ['lenet5-caffe', 'LeNet-5 (Caffe)']]} onChange={(v) => edit('model', { kind: v })} />
        )}
      </fieldset>
      <fieldset>
        <legend>Sparsity</legend>
        {sparse ? <SparsitySlider config={config} edit={edit} /> : null}
        {advanced ? (
          <>
            <Select label="Layer densities" help="How the overall density is split across layers. ERK keeps small layers denser, which usually trains better than uniform." value={config.sparsity.distribution.kind} options={[['erk', 'ERK (Erdős–Rényi-Kernel)'], ['er', 'ER (Erdős–Rényi)'], ['uniform', 'Uniform']]} onChange={(v) => edit('sparsity.distribution', { kind: v })} />
            <Select label="Mask at initialisation" help="Which weights are active at the start: random, or chosen by a pruning-at-initialisation score." value={config.sparsity.mask.kind} options={[['random', 'Random'], ['magnitude', 'Magnitude'], ['snip', 'SNIP'], ['grasp', 'GraSP'], ['synflow', 'SynFlow']]} onChange={(v) => edit('sparsity.mask', { kind: v })} />
          </>
        ) : null}
      </fieldset>
      <fieldset>
        <legend>Dynamic sparse training</legend>
        <Select
          label="Method"
          help="Static keeps the first mask. SET drops the smallest weights and regrows at random; RigL regrows where the gradient is largest; SNFS grows by momentum. Dense trains every weight."
          value={config.dst.method}
          options={[['rigl', 'RigL'], ['set', 'SET'], ['snfs', 'SNFS (sparse momentum)'], ['static', 'Static sparse'], ['dense', 'Dense']]}
          onChange={(v) => edit('dst.method', v, v === 'dense' ? [['sparsity.target', 0], ['sparsity.mask', { kind: 'random' }]] : config.sparsity.target === 0 ? [['sparsity.target', 0.5]] : [])}
        />
        {advanced && sparse && config.dst.method !== 'static' ? (
          <>
            <NumberInput label="Update every ΔT steps" help="How often the mask changes. Small ΔT explores more connections; too small and new weights have no time to grow." value={config.dst.deltaT} min={1} max={100000} step={1} onChange={(v) => edit('dst.deltaT', v)} />
            <NumberInput label="Drop fraction" help="The share of each layer's active weights replaced at an update (RigL: 0.3)." value={config.dst.dropFraction} min={0.01} max={0.99} step={0.05} onChange={(v) => edit('dst.dropFraction', v)} />
            <Select label="Drop decay" help="Cosine shrinks the drop fraction towards 0 by T_end, so the mask settles; constant keeps it." value={config.dst.decay} options={[['cosine', 'Cosine'], ['constant', 'Constant']]} onChange={(v) => edit('dst.decay', v)} />
            <NumberInput label="Stop updates at (fraction of training)" help="T_end: after it the mask is frozen and the weights fine-tune (RigL: 0.75)." value={config.dst.tEndFraction} min={0.01} max={1} step={0.05} onChange={(v) => edit('dst.tEndFraction', v)} />
          </>
        ) : null}
      </fieldset>
      <EnsembleControls config={config} edit={edit} advanced={advanced} />
      <fieldset>
        <legend>Training</legend>
        {advanced ? <Select label="Optimizer" help="SGD with momentum is what the papers use; Adam is more forgiving of the learning rate." value={config.training.optimizer.kind} options={[['sgd', 'SGD + momentum'], ['adam', 'Adam']]} onChange={(v) => edit('training.optimizer', { kind: v })} /> : null}
        <NumberInput label="Learning rate" help="Step size. Too high and the loss becomes NaN (training pauses and says so); too low and nothing moves." value={config.training.optimizer.lr} min={1e-6} max={10} step={0.01} onChange={(v) => edit('training.optimizer.lr', v)} />
        {advanced ? (
          <>
            <Select label="Learning-rate schedule" help="Multistep divides the rate by 10 at 50 % and 75 % of training; cosine glides it down." value={config.training.schedule.kind} options={[['multistep', 'Multistep'], ['cosine', 'Cosine'], ['constant', 'Constant'], ['onecycle', 'One-cycle']]} onChange={(v) => edit('training.schedule', { kind: v })} />
            <NumberInput label="Batch size" help="Examples per step." value={config.training.batchSize} min={1} max={4096} step={1} onChange={(v) => edit('training.batchSize', v)} />
            <Select
              label="Weight storage"
              help="How fully connected layers keep their weights. Masked: a dense matrix times a 0/1 mask, so a 95 %-sparse layer costs what a dense one does. Sparse: only the active connections, so time follows the density (not with SNFS). Auto: sparse for a layer sparser than the measured crossover. Both give exactly the same numbers; conv layers are always masked."
              value={config.training.storage}
              options={[['auto', 'Auto'], ['masked', 'Masked (dense × mask)'], ['sparse', 'Sparse (active connections only)']]}
              onChange={(v) => edit('training.storage', v)}
            />
            <Select
              label="Fused steps"
              help="Auto: a small MLP on 2-D points (fully connected layers, up to 20,000 parameters per model) trains each run of ordinary steps in one GPU dispatch instead of about twenty per step, several times faster; mask updates and evaluations still run kernel by kernel. Off: every step kernel by kernel. Both give exactly the same numbers; the status line says which runs and why."
              value={config.training.fused}
              options={[['auto', 'Auto'], ['off', 'Off (kernel by kernel)']]}
              onChange={(v) => edit('training.fused', v)}
            />
          </>
        ) : null}
        <NumberInput label="Epochs" help="Passes over the training set: the run's length." value={config.training.epochs} min={1} max={1000} step={1} onChange={(v) => edit('training.epochs', v)} />
        <NumberInput label="Seed" help="Same seed, same data, masks and weights: a run you can share and repeat." value={config.seed} min={0} max={4294967295} step={1} onChange={(v) => edit('seed', v)} />
      </fieldset>
      {advanced ? <TostControls config={config} edit={edit} /> : null}
    </form>
  );
}
