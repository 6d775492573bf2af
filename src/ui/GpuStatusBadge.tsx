// The header's WebGPU status: which adapter trains the networks, and its key limits.
import { useAppState } from './use-app-state';
import { formatBytes } from './format-bytes';

const KEY_LIMITS: [string, string][] = [
  ['maxStorageBufferBindingSize', 'storage binding'],
  ['maxBufferSize', 'buffer'],
  ['maxComputeWorkgroupStorageSize', 'workgroup memory'],
  ['maxComputeInvocationsPerWorkgroup', 'threads / workgroup'],
];

export function GpuStatusBadge() {
  const gpu = useAppState((s) => s.gpu);
  if (gpu.phase === 'detecting') return <div className="gpu-badge" role="status">Looking for a WebGPU adapter…</div>;
  if (gpu.phase === 'unsupported') return <div className="gpu-badge gpu-badge--bad" role="status">WebGPU unavailable</div>;
  const state =
    gpu.phase === 'compiling'
      ? 'compiling kernels…'
      : gpu.phase === 'ready'
        ? `${gpu.kernels?.count ?? 0} kernels ready (${Math.round(gpu.kernels?.millis ?? 0)} ms)`
        : 'GPU error';
  return (
    <div className={`gpu-badge ${gpu.phase === 'failed' ? 'gpu-badge--bad' : ''}`} role="status" data-testid="gpu-status">
      <span className="gpu-badge__adapter" data-testid="adapter-label">
        WebGPU: {gpu.adapter.label}
        {gpu.adapter.software ? ' (software rendering: slow)' : ''}
      </span>
      <span className="gpu-badge__state" data-testid="kernel-state">
        {state}
      </span>
      <details className="gpu-badge__limits">
        <summary>limits</summary>
        <dl>
          {KEY_LIMITS.map(([key, name]) => (
            <div key={key}>
              <dt>{name}</dt>
              <dd>{key.includes('Size') ? formatBytes(gpu.limits[key] ?? 0) : (gpu.limits[key] ?? 0)}</dd>
            </div>
          ))}
          <div>
            <dt>timestamp queries</dt>
            <dd>{gpu.features.includes('timestamp-query') ? 'yes' : 'no'}</dd>
          </div>
        </dl>
      </details>
    </div>
  );
}
