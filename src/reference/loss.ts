// CPU reference for softmax cross-entropy with label smoothing, forward and gradient fused,
// one row of logits per (member, example).
//
//   target_c = 1 - alpha on the true class, alpha / (C - 1) on each wrong class (sums to 1;
//              alpha = 0 is one-hot). Requires C >= 2.
//   log softmax(z)_c = z_c - max(z) - log(sum_k exp(z_k - max(z)))     (stable log-sum-exp)
//   loss[m][b]        = -sum_c target_c * log softmax(z)_c
//   dlogits[m][b][c]  = (softmax(z)_c - target_c) / batch   (gradient of the batch-MEAN loss)
//   correct[m][b]     = 1 if argmax_c z_c == label (ties: lowest index wins) else 0
//   label = PAD_LABEL: a padding row: loss 0, correct 0, dlogits 0 (it adds nothing to any gradient;
//                      the batch in the 1/batch scale still counts it, and the caller rescales)
//
// Math in float64, float32 out.

import { assert } from '../util/assert';

/** The label of a padding row (data.ts PAD_INDEX): ignored by the loss. */
export const PAD_LABEL = 0xffffffff;

export function softmaxCrossEntropy(
  members: number,
  batch: number,
  classes: number,
  logits: Float32Array, // (members, batch, classes)
  labels: Uint32Array, // (members, batch), each < classes
  alpha: number, // label smoothing in [0, 1]
  temperature = 1, // the loss sees logits / temperature (GraSP scores with T = 200)
): { dlogits: Float32Array; loss: Float32Array; correct: Float32Array } {
  const fn = 'softmaxCrossEntropy';
  assert(Number.isInteger(members) && members > 0, `${fn}: members must be a positive integer, got ${members}`);
  assert(Number.isInteger(batch) && batch > 0, `${fn}: batch must be a positive integer, got ${batch}`);
  assert(Number.isInteger(classes) && classes >= 2, `${fn}: classes must be an integer >= 2, got ${classes}`);
  assert(alpha >= 0 && alpha <= 1, `${fn}: alpha must be in [0, 1], got ${alpha}`);
  assert(temperature > 0, `${fn}: temperature must be positive, got ${temperature}`);
  const rows = members * batch;
  assert(logits.length === rows * classes, `${fn}: logits has length ${logits.length}, expected ${rows * classes}`);
  assert(labels.length === rows, `${fn}: labels has length ${labels.length}, expected ${rows}`);

  const onTrue = 1 - alpha;
  const onWrong = alpha / (classes - 1);
  const dlogits = new Float32Array(rows * classes);
  const loss = new Float32Array(rows);
  const correct = new Float32Array(rows);

  for (let r = 0; r < rows; r++) {
    const label = labels[r]!;
    if (label === PAD_LABEL) continue; // loss, correct and dlogits stay 0
    assert(label < classes, `${fn}: labels[${r}] = ${label} is not a class index below ${classes}`);
    const z = (c: number): number => logits[r * classes + c]! / temperature;

    let max = z(0);
    let argmax = 0;
    for (let c = 1; c < classes; c++) {
      if (z(c) > max) {
        max = z(c);
        argmax = c;
      }
    }
    let sumExp = 0;
    for (let c = 0; c < classes; c++) sumExp += Math.exp(z(c) - max);
    const logSumExp = Math.log(sumExp);

    let l = 0;
    for (let c = 0; c < classes; c++) {
      const target = c === label ? onTrue : onWrong;
      const logP = z(c) - max - logSumExp;
      if (target !== 0) l -= target * logP; // skip 0 * log p so p = 0 cannot make NaN
      dlogits[r * classes + c] = (Math.exp(logP) - target) / (batch * temperature); // chain rule through z / T
    }
    loss[r] = l;
    correct[r] = argmax === label ? 1 : 0;
  }
  return { dlogits, loss, correct };
}
