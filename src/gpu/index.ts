// Public surface of the WebGPU layer.
export * from './errors';
export * from './limits';
export * from './limit-check';
export * from './device';
export * from './registry';
export * from './params';
export * from './pipelines';
export * from './kernel-call';
export * from './buffers';
export { bufferCounts, countBuffers, type BufferCounts } from './buffer-count';
export * from './readback';
export { MASK_RENDER_SOURCE, SHADER_FAMILIES, shaderSource, type ShaderFamily } from './shaders';
