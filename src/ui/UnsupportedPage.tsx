// Full page shown when WebGPU cannot run here: what is wrong, which browsers work, how to enable it.
import type { GpuProblem } from '../state';

const BROWSERS: [string, string][] = [
  ['Chrome / Edge 113+', 'Windows, macOS and ChromeOS: on by default.'],
  ['Chrome 144+', 'Linux and Android: on by default on supported GPUs.'],
  ['Older Chrome on Linux', 'open chrome://flags/#enable-unsafe-webgpu, enable it, and relaunch.'],
  ['Safari 26+', 'macOS, iOS and iPadOS: on by default.'],
  ['Firefox 141+', 'Windows on by default; other platforms behind dom.webgpu.enabled in about:config.'],
];

export function UnsupportedPage({ problem }: { problem: GpuProblem }) {
  return (
    <main className="unsupported" data-testid="unsupported">
      <h1>WebGPU is not available</h1>
      <p className="unsupported__message">{problem.message}</p>
      <p>
        The Sparse Training Playground trains networks on your GPU through WebGPU, so it needs a browser and a GPU
        that provide it. Nothing was lost: once WebGPU works, reload this page (its address keeps your settings).
      </p>
      <h2>Browsers that work</h2>
      <table className="unsupported__browsers">
        <tbody>
          {BROWSERS.map(([name, how]) => (
            <tr key={name}>
              <th scope="row">{name}</th>
              <td>{how}</td>
            </tr>
          ))}
        </tbody>
      </table>
      <p>
        Check your browser at <code>chrome://gpu</code> (Chrome, Edge) for the "WebGPU" line. Remote desktops and
        some virtual machines have no GPU; WebGPU also needs a secure page (https or localhost).
      </p>
      {problem.detail ? (
        <details>
          <summary>Technical details</summary>
          <code data-testid="unsupported-reason">
            {problem.reason}: {problem.detail}
          </code>
        </details>
      ) : null}
    </main>
  );
}
