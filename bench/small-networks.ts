// The small-network rows of the training benchmark (issue 18): the playground's 2-D MLPs trained
// on the layer path (training.fused off: every step kernel by kernel) and on the fused path (a
// run of ordinary steps in one dispatch), in the same page, through the same RunLoop as the app.
//   - throughput: ms per step with no mask update in the timed steps, M = 1 and 4;
//   - a whole run: the default experiment's 1,300 steps (its 13 RigL updates included, no
//     evaluation) from a fresh trainer, the engine time a user's run is built on.
import { parseConfig } from '../src/config';
import { RunLoop, Trainer, stopMessage, trainerSetupFromConfig, type FusedSetting, type TrainerSetup } from '../src/engine';
import type { PipelineCache } from '../src/gpu';
import { loadData } from '../runner/load-data';
import { measure, type Timing, type TimingOptions } from './timing';

const NEVER = 1_000_000_000;
const PATHS: readonly FusedSetting[] = ['off', 'auto'];

interface Net {
  id: string;
  label: string;
  config: Record<string, unknown>;
}

/** The default experiment ({ version: 1 }) and a lesson's network (2-64-64-3 at 90 %). */
const NETS: readonly Net[] = [
  { id: 'spiral-32', label: '2-32-32-3, RigL 50 %, batch 32 (the default run)', config: { version: 1 } },
  { id: 'spiral-64', label: "2-64-64-3, RigL 90 %, batch 32 (the lessons')", config: { version: 1, model: { kind: 'mlp', hidden: [64, 64] }, sparsity: { target: 0.9 } } },
  // Near FUSED_MAX_PARAMS (17,283 of 20,000 parameters): whether the limit still leaves the fused path faster.
  { id: 'spiral-128', label: '2-128-128-3, RigL 50 %, batch 32 (near the limit)', config: { version: 1, model: { kind: 'mlp', hidden: [128, 128] } } },
];

export interface SmallRow {
  id: string;
  label: string;
  members: number;
  path: 'layer' | 'fused';
  timing: Timing;
  msPerStep: number;
  stepsPerSecond: number;
  /** Dispatches of one ordinary step (layer path), or 1 per chunk of up to stepsPerSubmit steps (fused). */
  dispatches: string;
}

export interface SmallRun {
  path: 'layer' | 'fused';
  steps: number;
  seconds: number;
}

export interface SmallNetworkResult {
  rows: SmallRow[];
  /** The default run's 1,300 steps from a fresh trainer, per path. */
  defaultRun: SmallRun[];
}

async function setupFor(net: Net, over: Partial<TrainerSetup>): Promise<TrainerSetup> {
  const parsed = parseConfig(net.config);
  if (!parsed.ok) throw new Error(`small-network config ${net.id}: ${parsed.errors.map((e) => e.message).join('; ')}`);
  return { ...trainerSetupFromConfig(parsed.config, await loadData(parsed.config)).setup, ...over };
}

const pathName = (f: FusedSetting): 'layer' | 'fused' => (f === 'off' ? 'layer' : 'fused');

export async function timeSmallNetworks(cache: PipelineCache, timing: TimingOptions, only: readonly string[] | null, log: (line: string) => void): Promise<SmallNetworkResult> {
  const rows: SmallRow[] = [];
  for (const net of NETS) {
    for (const members of [1, 4]) {
      for (const fused of PATHS) {
        const id = `small-${net.id}${members > 1 ? `-m${members}` : ''}-${pathName(fused)}`;
        if (only && !only.includes(id)) continue;
        const base = await setupFor(net, { members, fused });
        const trainer = await Trainer.create(cache, { ...base, totalSteps: NEVER, schedule: { ...base.schedule, beginStep: NEVER } });
        try {
          if (fused === 'auto' && trainer.net.fused === null) throw new Error(`${id}: the fused path does not take this network: ${trainer.fusedRefusal}`);
          const loop = new RunLoop(trainer);
          const t = await measure(async (n) => {
            const stop = await loop.run({ chunkSize: () => n, afterChunk: () => 'stop' });
            if (stop.kind !== 'paused') throw new Error(`${id}: ${stopMessage(stop)}`);
          }, timing);
          const dispatches = fused === 'off' ? String(trainer.net.stepDispatches) : `1 per ${base.stepsPerSubmit} steps`;
          rows.push({ id, label: net.label, members, path: pathName(fused), timing: t, msPerStep: t.msPerIter, stepsPerSecond: 1000 / t.msPerIter, dispatches });
          log(`[bench] ${id}: ${t.msPerIter.toFixed(2)} ms/step, ${(1000 / t.msPerIter).toFixed(0)} steps/s`);
        } finally {
          trainer.destroy();
        }
      }
    }
  }
  const defaultRun: SmallRun[] = [];
  if (!only || only.includes('small-default-run')) {
    for (const fused of PATHS) {
      const setup = await setupFor(NETS[0]!, { fused });
      const trainer = await Trainer.create(cache, setup);
      try {
        await trainer.train(1); // pipelines compiled, buffers warm
        trainer.reset();
        const t0 = performance.now();
        const trained = await trainer.train(setup.totalSteps);
        defaultRun.push({ path: pathName(fused), steps: trained.length, seconds: (performance.now() - t0) / 1000 });
        log(`[bench] the default run, ${pathName(fused)} path: ${trained.length} steps in ${defaultRun.at(-1)!.seconds.toFixed(2)} s`);
      } finally {
        trainer.destroy();
      }
    }
  }
  return { rows, defaultRun };
}
