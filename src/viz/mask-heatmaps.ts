// The mask heatmaps, drawn by a WebGPU render pass on the training device straight from its
// buffers (a masked layer's mask, last CHANGE codes and ITOP record; a sparse layer's bitmaps):
// no mask crosses to JavaScript to be coloured. Each layer renders into an offscreen rgba8unorm texture of (rows, cols) pixels,
// which is copied out and put on a 2-D canvas by the UI. Not a WebGPU canvas: on headless
// Chromium with SwiftShader, presenting a WebGPU canvas destroys the device (README, known
// limitations), and a texture copy behaves the same on every adapter.
// Shader: shaders/mask_render.wgsl (loaded through src/gpu, the only importer of shaders).
// The session does not import this module (state never imports viz): main.tsx hands it in.
import { VIEW_MAX_PIXELS, viewBlock, type MaskBuffers, type MaskLayerBuffers } from '../engine';
import { MASK_RENDER_SOURCE, ReadbackPool } from '../gpu';

/** RGB per CELL code (never, dropped, active, grown, pruned), 0..255 (src/reference/mask-codes.ts). */
export type MaskPalette = readonly (readonly [number, number, number])[];

const FORMAT: GPUTextureFormat = 'rgba8unorm';
const PARAMS_BYTES = 16 + 5 * 16;

type SourceKind = MaskLayerBuffers['kind'];
const ENTRY: Record<SourceKind, string> = { flat: 'fs', bits: 'fs_bits' };
const renderers = new WeakMap<GPUDevice, Map<SourceKind, Promise<GPURenderPipeline>>>();
const readbacks = new WeakMap<GPUDevice, ReadbackPool>();

function pipelineFor(device: GPUDevice, kind: SourceKind): Promise<GPURenderPipeline> {
  const byKind = renderers.get(device) ?? new Map<SourceKind, Promise<GPURenderPipeline>>();
  renderers.set(device, byKind);
  let p = byKind.get(kind);
  if (!p) {
    const module = device.createShaderModule({ label: 'mask_render.wgsl', code: MASK_RENDER_SOURCE });
    p = device.createRenderPipelineAsync({
      label: `mask heatmap (${kind})`,
      layout: 'auto',
      vertex: { module, entryPoint: 'vs' },
      fragment: { module, entryPoint: ENTRY[kind], targets: [{ format: FORMAT }] },
      primitive: { topology: 'triangle-list' },
    });
    byKind.set(kind, p);
    p.catch(() => {
      byKind.delete(kind);
    });
  }
  return p;
}

/** The storage buffers a layer's entry point reads, bindings 1.. (mask_render.wgsl). */
function sources(l: MaskLayerBuffers): GPUBuffer[] {
  return l.kind === 'flat' ? [l.mask, l.events, l.fired] : [l.occ, l.old, l.kept, l.fired];
}

/** Texture rows are copied out at a multiple of 256 bytes. */
const paddedRow = (cols: number) => Math.ceil((cols * 4) / 256) * 256;

/**
 * Draws member 0 of every weight layer and resolves with its pixels, (rows = outputs, cols =
 * inputs·taps) RGBA each, ready for ImageData; a layer drawn in blocks (engine viewBlock with
 * `maxPixels`) has ⌈rows / block⌉ × ⌈cols / block⌉ pixels.
 */
export async function renderMaskImages(source: MaskBuffers, palette: MaskPalette, maxPixels = VIEW_MAX_PIXELS): Promise<Uint8ClampedArray[]> {
  const { device, layers } = source;
  let readback = readbacks.get(device);
  if (!readback) readbacks.set(device, (readback = new ReadbackPool(device, 'mask heatmap readback')));
  if (layers.length === 0) return [];
  const pipelines = { flat: await pipelineFor(device, 'flat'), bits: layers.some((l) => l.kind === 'bits') ? await pipelineFor(device, 'bits') : null };
  // Each layer's picture: (h, w) pixels of `block` × `block` connections.
  const sizes = layers.map((l) => {
    const block = viewBlock(l, maxPixels);
    return { block, w: Math.ceil(l.cols / block), h: Math.ceil(l.rows / block) };
  });
  const offsets: number[] = [];
  let total = 0;
  for (const z of sizes) {
    offsets.push(total);
    total += paddedRow(z.w) * z.h;
  }
  const owned: (GPUBuffer | GPUTexture)[] = [];
  const pixels = device.createBuffer({ label: 'mask heatmap pixels', size: total, usage: GPUBufferUsage.COPY_DST | GPUBufferUsage.COPY_SRC });
  owned.push(pixels);
  try {
    const encoder = device.createCommandEncoder({ label: 'mask heatmaps' });
    layers.forEach((l, k) => {
      const { w, h, block } = sizes[k]!;
      const params = new ArrayBuffer(PARAMS_BYTES);
      // Params: cols, rows, then the flat buffers' member-0 offset or the bitmap's words per row and the block.
      new Uint32Array(params, 0, 4).set(l.kind === 'flat' ? [l.cols, l.rows, l.base, 0] : [l.cols, l.rows, l.words, block]);
      const colors = new Float32Array(params, 16, 20);
      palette.forEach(([r, g, b], c) => colors.set([r / 255, g / 255, b / 255, 1], c * 4));
      const uniform = device.createBuffer({ label: 'mask heatmap params', size: PARAMS_BYTES, usage: GPUBufferUsage.UNIFORM | GPUBufferUsage.COPY_DST });
      device.queue.writeBuffer(uniform, 0, params);
      const texture = device.createTexture({ label: 'mask heatmap', size: [w, h], format: FORMAT, usage: GPUTextureUsage.RENDER_ATTACHMENT | GPUTextureUsage.COPY_SRC });
      owned.push(uniform, texture);
      const pipeline = pipelines[l.kind]!;
      const group = device.createBindGroup({
        layout: pipeline.getBindGroupLayout(0),
        entries: [{ binding: 0, resource: { buffer: uniform } }, ...sources(l).map((buffer, i) => ({ binding: i + 1, resource: { buffer } }))],
      });
      const pass = encoder.beginRenderPass({ colorAttachments: [{ view: texture.createView(), loadOp: 'clear', storeOp: 'store', clearValue: [0, 0, 0, 0] }] });
      pass.setPipeline(pipeline);
      pass.setBindGroup(0, group);
      pass.draw(3);
      pass.end();
      encoder.copyTextureToBuffer({ texture }, { buffer: pixels, offset: offsets[k]!, bytesPerRow: paddedRow(w), rowsPerImage: h }, [w, h]);
    });
    device.queue.submit([encoder.finish()]);
    const bytes = new Uint8Array(await readback.read(pixels));
    // Drop each row's padding: (h, w) RGBA.
    return sizes.map(({ w, h }, k) => {
      const out = new Uint8ClampedArray(h * w * 4);
      const stride = paddedRow(w);
      for (let r = 0; r < h; r++) out.set(bytes.subarray(offsets[k]! + r * stride, offsets[k]! + r * stride + w * 4), r * w * 4);
      return out;
    });
  } finally {
    for (const o of owned) o.destroy();
  }
}
