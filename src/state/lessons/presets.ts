// Settings the lessons share. Chosen by measurement (docs/LESSONS.md): on the 3-arm spiral a
// 2-64-64-3 network learns at 90-95 % sparsity within 150 epochs (1,950 steps) of SGD with a
// cosine schedule, where the default 2-32-32-3 network does not; the moons are used where the
// spiral is not the point and the phenomenon lives at 98-99 % sparsity.
export const spiral = { dataset: 'spiral' } as const;
export const moons = { dataset: 'moons' } as const;
export const wide = { kind: 'mlp', hidden: [64, 64] } as const;

/** SGD with momentum 0.9 at lr 0.1 and a cosine decay to 0 over `epochs`. */
export function sgdCosine(epochs: number) {
  return { epochs, optimizer: { kind: 'sgd', lr: 0.1 }, schedule: { kind: 'cosine' } } as const;
}
