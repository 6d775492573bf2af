// Views drawn by the GPU from the engine's buffers (docs/ARCHITECTURE.md §2): read-only; what
// crosses to JavaScript is the drawn picture, never the mask it was drawn from. main.tsx hands
// them to the session and the UI mounts what they produce.
export { renderMaskImages, type MaskPalette } from './mask-heatmaps';
