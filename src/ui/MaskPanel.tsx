// Mask evolution: one heatmap per weight layer (rows = output units, columns = inputs), each
// cell coloured by its state after the last update: active, just grown, just pruned, once
// active, never active. Beside it the layer's density and the |w| histogram of its active
// weights with the threshold below which the next update prunes, so a learner can see which
// weights are about to go. The live heatmaps are drawn by a WebGPU render pass from the training
// buffers (src/gpu/mask-render.ts); counts, histograms and timeline entries use the read-back mask.
import { useEffect, useRef, useState } from 'react';
import { useAppState } from './use-app-state';
import { appStore, CELL_COLORS } from '../state';
import type { MaskLayerView } from '../state';

/**
 * One layer's heatmap. The live masks come as the GPU's render pass drew them (`image`); a
 * timeline entry (or a failed render) is coloured here from its cells, with the same palette. A
 * wide sparse layer is drawn one pixel per block × block connections (its shade is the block's
 * density with its grown and pruned shares), and the CPU's picture of it is coarser.
 */
function Heatmap({ layer, image, index, editable }: { layer: MaskLayerView; image: Uint8ClampedArray | null; index: number; editable: boolean }) {
  const ref = useRef<HTMLCanvasElement>(null);
  const live = { w: Math.ceil(layer.cols / layer.block), h: Math.ceil(layer.rows / layer.block) };
  const gpu = image !== null && image.length === live.w * live.h * 4;
  const shown = gpu ? layer.block : (layer.preview?.block ?? 1);
  useEffect(() => {
    const canvas = ref.current;
    const ctx = canvas?.getContext('2d');
    if (!canvas || !ctx) return;
    const w = Math.ceil(layer.cols / shown);
    const h = Math.ceil(layer.rows / shown);
    canvas.width = w;
    canvas.height = h;
    const img = ctx.createImageData(w, h);
    if (gpu) img.data.set(image);
    else if (layer.preview) img.data.set(layer.preview.pixels);
    else
      for (let i = 0; i < layer.cells.length; i++) {
        const [r, g, b] = CELL_COLORS[layer.cells[i]!]!;
        img.data.set([r, g, b, 255], i * 4);
      }
    ctx.putImageData(img, 0, 0);
  }, [layer, image, gpu, shown]);
  const { counts } = layer;
  const total = layer.rows * layer.cols;
  const active = counts.active + counts.grown;
  return (
    <figure className="mask-layer" data-testid={`mask-${layer.name}`}>
      <figcaption>
        <strong>{layer.name}</strong> {layer.rows}×{layer.cols} · density {((active / total) * 100).toFixed(1)} %
        {shown > 1 ? <span data-testid={`mask-block-${layer.name}`}> · one pixel per {shown}×{shown} connections</span> : null}
        {editable ? <LayerTarget index={index} name={layer.name} current={(active / total) * 100} /> : null}
      </figcaption>
      <canvas ref={ref} className="mask-layer__canvas" role="img" aria-label={`${layer.name} mask: ${active} of ${total} connections active, ${counts.grown} just grown, ${counts.pruned} just pruned`} data-testid={`mask-canvas-${layer.name}`} data-drawn={gpu ? 'gpu' : 'cpu'} />
      <div className="mask-layer__bar" aria-hidden="true">
        <div style={{ width: `${(active / total) * 100}%` }} />
      </div>
      <p className="mask-layer__counts" data-testid={`mask-counts-${layer.name}`}>
        active {active} · grown {counts.grown} · pruned {counts.pruned}
      </p>
      <Histogram layer={layer} />
      {layer.cols === 784 ? <ReceptiveFields layer={layer} /> : null}
    </figure>
  );
}

/** A layer's density target, typed in percent and applied (live) when the field loses focus. */
function LayerTarget({ index, name, current }: { index: number; name: string; current: number }) {
  const [draft, setDraft] = useState<string | null>(null);
  const apply = () => {
    if (draft !== null && draft.trim() !== '' && Number.isFinite(Number(draft))) appStore.getState().session?.setLayerDensity(index, Math.max(0, Math.min(1, Number(draft) / 100)));
    setDraft(null);
  };
  return (
    <label className="mask-layer__target">
      {' '}target %
      <input
        type="number"
        min={0}
        max={100}
        step={1}
        value={draft ?? current.toFixed(0)}
        data-testid={`layer-target-${name}`}
        onChange={(e) => setDraft(e.target.value)}
        onBlur={apply}
        onKeyDown={(e) => e.key === 'Enter' && e.currentTarget.blur()}
      />
    </label>
  );
}

/** MNIST's first layer: each hidden unit's 784 connections as its 28×28 mask (the first 100 units). */
function ReceptiveFields({ layer }: { layer: MaskLayerView }) {
  const ref = useRef<HTMLCanvasElement>(null);
  const units = Math.min(100, layer.cellRows);
  useEffect(() => {
    const canvas = ref.current;
    const ctx = canvas?.getContext('2d');
    if (!canvas || !ctx) return;
    const per = 10;
    canvas.width = per * 29;
    canvas.height = Math.ceil(units / per) * 29;
    const img = ctx.createImageData(canvas.width, canvas.height);
    img.data.fill(255);
    for (let u = 0; u < units; u++) {
      const ox = (u % per) * 29;
      const oy = Math.floor(u / per) * 29;
      for (let p = 0; p < 784; p++) {
        const [r, g, b] = CELL_COLORS[layer.cells[u * 784 + p]!]!;
        img.data.set([r, g, b, 255], ((oy + Math.floor(p / 28)) * canvas.width + ox + (p % 28)) * 4);
      }
    }
    ctx.putImageData(img, 0, 0);
  }, [layer, units]);
  return (
    <div className="receptive">
      <p className="mask-layer__counts">Each hidden unit's 28×28 input mask (first {units} units): where it looks at the image.</p>
      <canvas ref={ref} className="receptive__canvas" role="img" aria-label={`The 28×28 input masks of the first ${units} hidden units of ${layer.name}`} data-testid="receptive-fields" />
    </div>
  );
}

function Histogram({ layer }: { layer: MaskLayerView }) {
  const ref = useRef<HTMLCanvasElement>(null);
  useEffect(() => {
    const canvas = ref.current;
    const ctx = canvas?.getContext('2d');
    if (!canvas || !ctx || layer.magnitudes.length === 0) return;
    const W = (canvas.width = 200);
    const H = (canvas.height = 50);
    const max = layer.magnitudes.reduce((a, v) => Math.max(a, v), 0) || 1;
    const bins = new Array<number>(40).fill(0);
    for (const v of layer.magnitudes) bins[Math.min(39, Math.floor((v / max) * 40))]!++;
    const top = Math.max(...bins);
    ctx.clearRect(0, 0, W, H);
    bins.forEach((c, i) => {
      const left = (i / 40) * max;
      ctx.fillStyle = layer.threshold !== null && left < layer.threshold ? '#D55E00' : '#0072B2';
      const h = (c / top) * (H - 2);
      ctx.fillRect((i * W) / 40, H - h, W / 40 - 1, h);
    });
    if (layer.threshold !== null) {
      ctx.fillStyle = '#000';
      ctx.fillRect((layer.threshold / max) * W, 0, 1, H);
    }
  }, [layer]);
  return (
    <canvas ref={ref} className="mask-layer__hist" role="img" aria-label={`|w| of ${layer.name}'s active weights${layer.threshold !== null ? `; the next update prunes those below ${layer.threshold.toPrecision(2)}` : ''}`} />
  );
}

export function MaskPanel() {
  const live = useAppState((s) => s.views.masks);
  const images = useAppState((s) => s.views.maskImages);
  const timeline = useAppState((s) => s.views.maskTimeline);
  const last = useAppState((s) => s.run.lastUpdate);
  const updates = useAppState((s) => s.run.maskUpdates);
  // null follows the live masks; a number shows that timeline entry.
  const [pick, setPick] = useState<number | null>(null);
  const dynamic = useAppState((s) => ['set', 'rigl', 'snfs'].includes(s.config.dst.method));
  if (!live) return <p className="panel__placeholder">The masks appear once the network is built.</p>;
  const index = pick !== null && pick < timeline.length ? pick : null;
  const masks = index === null ? live : timeline[index]!.masks;
  return (
    <div className="masks" data-testid="masks">
      <p className="masks__summary" data-testid="mask-summary">
        {updates} mask update{updates === 1 ? '' : 's'}
        {last ? ` · last at step ${last.step + 1}: ${last.grown} grown, ${last.pruned} pruned` : ''}
      </p>
      {timeline.length > 1 ? (
        <label className="masks__timeline">
          Timeline: {index === null ? 'live' : `after step ${timeline[index]!.step}${index === 0 ? ' (start)' : ''}`}
          <input
            type="range"
            min={0}
            max={timeline.length - 1}
            value={index ?? timeline.length - 1}
            data-testid="mask-timeline"
            onChange={(e) => {
              const v = Number(e.target.value);
              setPick(v === timeline.length - 1 ? null : v);
            }}
          />
        </label>
      ) : null}
      <ul className="masks__legend" aria-label="Legend">
        {['never active', 'dropped earlier', 'active', 'just grown', 'just pruned'].map((name, i) => (
          <li key={name}>
            <span style={{ background: `rgb(${CELL_COLORS[i]!.join(',')})` }} aria-hidden="true" /> {name}
          </li>
        ))}
      </ul>
      <div className="masks__layers">
        {masks.map((m, i) => (
          <Heatmap key={m.name} layer={m} image={index === null ? (images?.[i] ?? null) : null} index={i} editable={dynamic && index === null} />
        ))}
      </div>
    </div>
  );
}
