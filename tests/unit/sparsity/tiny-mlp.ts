// A tiny 1-hidden-layer tanh MLP with softmax cross-entropy (batch mean), all in float64, with its
// gradient by hand-written backprop and an EXACT Hessian-vector product by forward-mode-over-reverse
// (Pearlmutter's R-operator). It is the reference that GraSP's finite-difference Hg is checked
// against (docs/METHODS.md §4.1: "validate once against an exact HVP on a tiny MLP in float64").
//
// Parameters θ = [W1 (H, I) row-major, W2 (C, H) row-major]; no biases.
//   a = W1 x, h = tanh(a), z = W2 h, p = softmax(z), L = mean_b −log p_y

export interface TinyMlp {
  inputs: number;
  hidden: number;
  classes: number;
  x: Float64Array; // (batch, inputs)
  y: Uint32Array; // (batch)
}

export function paramCount(m: TinyMlp): number {
  return m.hidden * m.inputs + m.classes * m.hidden;
}

interface Pass {
  loss: number;
  grad: Float64Array;
  hv: Float64Array;
}

/** Loss, gradient and, when `v` is given, the exact H·v (otherwise hv is zeros). */
export function tinyMlpPass(m: TinyMlp, theta: Float64Array, v?: Float64Array): Pass {
  const { inputs: I, hidden: H, classes: C } = m;
  const B = m.y.length;
  const W1 = (j: number, i: number): number => theta[j * I + i]!;
  const W2 = (c: number, j: number): number => theta[H * I + c * H + j]!;
  const V1 = (j: number, i: number): number => (v ? v[j * I + i]! : 0);
  const V2 = (c: number, j: number): number => (v ? v[H * I + c * H + j]! : 0);
  const grad = new Float64Array(theta.length);
  const hv = new Float64Array(theta.length);
  let loss = 0;
  for (let b = 0; b < B; b++) {
    const x = m.x.subarray(b * I, b * I + I);
    const h = new Float64Array(H);
    const Rh = new Float64Array(H);
    for (let j = 0; j < H; j++) {
      let a = 0;
      let Ra = 0;
      for (let i = 0; i < I; i++) {
        a += W1(j, i) * x[i]!;
        Ra += V1(j, i) * x[i]!;
      }
      h[j] = Math.tanh(a);
      Rh[j] = (1 - h[j]! * h[j]!) * Ra;
    }
    const z = new Float64Array(C);
    const Rz = new Float64Array(C);
    for (let c = 0; c < C; c++) {
      for (let j = 0; j < H; j++) {
        z[c]! += W2(c, j) * h[j]!;
        Rz[c]! += V2(c, j) * h[j]! + W2(c, j) * Rh[j]!;
      }
    }
    const max = Math.max(...z);
    const e = z.map((zc) => Math.exp(zc - max));
    const sum = e.reduce((s, t) => s + t, 0);
    const p = e.map((t) => t / sum);
    const label = m.y[b]!;
    loss -= Math.log(p[label]!) / B;
    const pRz = p.reduce((s, pc, c) => s + pc * Rz[c]!, 0);
    const dz = p.map((pc, c) => (pc - (c === label ? 1 : 0)) / B);
    const Rdz = p.map((pc, c) => (pc * (Rz[c]! - pRz)) / B);
    for (let c = 0; c < C; c++) {
      for (let j = 0; j < H; j++) {
        grad[H * I + c * H + j]! += dz[c]! * h[j]!;
        hv[H * I + c * H + j]! += Rdz[c]! * h[j]! + dz[c]! * Rh[j]!;
      }
    }
    for (let j = 0; j < H; j++) {
      let dh = 0;
      let Rdh = 0;
      for (let c = 0; c < C; c++) {
        dh += W2(c, j) * dz[c]!;
        Rdh += V2(c, j) * dz[c]! + W2(c, j) * Rdz[c]!;
      }
      const s = 1 - h[j]! * h[j]!;
      const Rs = -2 * h[j]! * Rh[j]!;
      const da = dh * s;
      const Rda = Rdh * s + dh * Rs;
      for (let i = 0; i < I; i++) {
        grad[j * I + i]! += da * x[i]!;
        hv[j * I + i]! += Rda * x[i]!;
      }
    }
  }
  return { loss, grad, hv };
}
