// The kernel benchmark page (bench/kernels.html), driven by scripts/bench-kernels.mjs in headless
// Chromium. For each case it times our bound kernel(s), then the tfjs-backend-webgpu peer on the
// same logical shape, and puts everything on window.__benchResult (or window.__benchError).
// Query: ?quick=1 (smaller batches), iters=N (fixed iterations per chunk), reps=R, target_ms=T.
import { PipelineCache, acquireGpu, withErrorScopes, type AdapterSummary, type GpuError } from '../src/gpu';
import { buildSuite, KERNELS_USED, runOurs } from './suite';
import { initTfjsWebGpu, runPeer } from './tfjs-peers';
import { measure, type Timing, type TimingOptions } from './timing';

export const RATIO_DEFINITION = 'speed ratio ours/tfjs = tfjs_ms / ours_ms (> 1: ours is faster)';

export interface MeasuredSide extends Timing {
  gflops: number;
}

export interface BenchRow {
  id: string;
  kernel: string;
  shape: string;
  members: number;
  flopsPerIter: number;
  dispatchesPerIter: number;
  ours: MeasuredSide;
  tfjs: (MeasuredSide & { op: string }) | null;
  /** tfjs ms / ours ms; null without a peer. */
  speedRatio: number | null;
}

export interface BenchResult {
  meta: {
    date: string;
    quick: boolean;
    timing: TimingOptions;
    adapter: AdapterSummary;
    software: boolean;
    timestampQuery: boolean;
    userAgent: string;
    tfjs: { version: string; backend: string };
    ratioDefinition: string;
    notes: string[];
    totalMs: number;
  };
  rows: BenchRow[];
}

declare global {
  interface Window {
    __benchResult?: BenchResult;
    __benchError?: string;
  }
}

function intParam(q: URLSearchParams, key: string): number | null {
  const v = q.get(key);
  if (v === null || v === '') return null;
  const n = Number(v);
  if (!Number.isInteger(n) || n < 1) throw new Error(`query parameter ${key} must be a positive integer, got "${v}"`);
  return n;
}

const fmt = (ms: number): string => (ms < 1 ? `${(ms * 1000).toFixed(1)} us` : `${ms.toFixed(2)} ms`);

async function main(): Promise<BenchResult> {
  const started = performance.now();
  const q = new URLSearchParams(location.search);
  const quick = q.get('quick') === '1';
  const timing: TimingOptions = {
    targetMs: intParam(q, 'target_ms') ?? 400,
    reps: Math.max(intParam(q, 'reps') ?? 5, 1),
    fixedIters: intParam(q, 'iters'),
    minIters: 2,
    maxIters: 4096,
  };

  const acquired = await acquireGpu({ label: 'kernel bench' });
  if (!acquired.ok) throw new Error(`WebGPU unavailable: ${acquired.reason}: ${acquired.message} ${acquired.detail ?? ''}`);
  const { gpu } = acquired;
  const errors: GpuError[] = [];
  gpu.onError((e) => errors.push(e));
  console.log(`[bench] adapter: ${gpu.adapter.label}${gpu.adapter.software ? ' (SOFTWARE: not GPU numbers)' : ''}`);

  // Check tfjs first: a silent fallback to another backend must fail the run, not skew it.
  const tfjs = await initTfjsWebGpu();
  console.log(`[bench] tfjs ${tfjs.version} on backend "${tfjs.backend}"`);

  const cache = PipelineCache.for(gpu.device);
  await withErrorScopes(gpu.device, () => cache.prepare(KERNELS_USED));

  const suite = buildSuite({ quick, convSplits: 8 });
  const rows: BenchRow[] = [];
  for (const [i, c] of suite.entries()) {
    const tag = `[bench] ${i + 1}/${suite.length} ${c.kernel} ${c.shape} M=${c.members}`;
    const ours = await withErrorScopes(gpu.device, async () => {
      const s = c.setup(cache);
      try {
        return { t: await measure((n) => runOurs(gpu.device, s, n), timing), dispatches: s.kernels.length };
      } finally {
        s.destroy();
      }
    });
    if (errors.length > 0) throw new Error(`${c.id}: ${errors.map((e) => `${e.message} ${e.detail ?? ''}`).join('; ')}`);
    const oursSide: MeasuredSide = { ...ours.t, gflops: c.flops / (ours.t.msPerIter * 1e6) };
    console.log(`${tag}: ours ${fmt(ours.t.msPerIter)}/iter, ${oursSide.gflops.toFixed(3)} GFLOP/s (N=${ours.t.itersPerChunk} x ${ours.t.reps})`);

    let peerSide: BenchRow['tfjs'] = null;
    if (c.peer) {
      const p = c.peer.create();
      try {
        const t = await measure((n) => runPeer(p, n), timing);
        peerSide = { ...t, gflops: c.flops / (t.msPerIter * 1e6), op: c.peer.op };
      } finally {
        p.dispose();
      }
      console.log(`${tag}: tfjs ${fmt(peerSide.msPerIter)}/iter, ${peerSide.gflops.toFixed(3)} GFLOP/s (N=${peerSide.itersPerChunk} x ${peerSide.reps})`);
    }
    rows.push({
      id: c.id,
      kernel: c.kernel,
      shape: c.shape,
      members: c.members,
      flopsPerIter: c.flops,
      dispatchesPerIter: ours.dispatches,
      ours: oursSide,
      tfjs: peerSide,
      speedRatio: peerSide ? peerSide.msPerIter / oursSide.msPerIter : null,
    });
  }
  gpu.destroy();

  return {
    meta: {
      date: new Date().toISOString(),
      quick,
      timing,
      adapter: gpu.adapter,
      software: gpu.adapter.software,
      timestampQuery: gpu.features.timestampQuery,
      userAgent: navigator.userAgent,
      tfjs,
      ratioDefinition: RATIO_DEFINITION,
      notes: [
        'ms = median over reps of (wall-clock chunk time / iterations); one chunk = N iterations, one submit, one wait.',
        'ours: N x the kernel dispatch(es) in one compute pass and one submit, then await queue.onSubmittedWorkDone().',
        'tfjs: N ops (results disposed), then one await .data() of the last result: each chunk includes one readback, amortised over N.',
        'tfjs conv peers use NHWC tensors; ours are NCHW. Same logical sizes and FLOPs.',
        'FLOPs are the useful multiply-adds x2 of the op (conv: 2*B*OH*OW*Cout*Cin*K*K for forward, dX and dW alike).',
        'conv dW rows time the split kernel plus reduce.sum_splits (masked) per iteration.',
        ...(gpu.adapter.software ? ['Software adapter (SwiftShader/llvmpipe): these are NOT GPU numbers.'] : []),
      ],
      totalMs: performance.now() - started,
    },
    rows,
  };
}

main().then(
  (result) => {
    window.__benchResult = result;
    console.log(`[bench] done in ${(result.meta.totalMs / 1000).toFixed(1)} s`);
  },
  (e: unknown) => {
    const msg = e instanceof Error ? `${e.message}${'detail' in e && e.detail ? `\n${String(e.detail)}` : ''}\n${e.stack ?? ''}` : String(e);
    console.error(`[bench] FAILED: ${msg}`);
    window.__benchError = msg;
  },
);
