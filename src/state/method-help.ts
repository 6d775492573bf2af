// The in-app help on methods: what each does in a sentence or two, its paper, and where this
// playground deliberately differs from the paper's released code (docs/METHODS.md has the detail).

export interface MethodHelp {
  name: string;
  group: 'Dynamic sparse training' | 'Layer densities' | 'Masks at initialisation' | 'Ensembles' | 'Training any mask better' | 'Measures';
  what: string;
  paper: string;
  /** Where the playground differs from the paper or its released code; null where it follows them. */
  differs: string | null;
}

export const METHOD_HELP: readonly MethodHelp[] = [
  { name: 'Static sparse', group: 'Dynamic sparse training', what: 'A random mask drawn at the start (by the density rule) and kept for the whole run.', paper: 'The baseline of every DST paper.', differs: null },
  {
    name: 'SET',
    group: 'Dynamic sparse training',
    what: 'Every ΔT steps, drop the smallest-magnitude active weights and regrow as many connections at random positions.',
    paper: 'Mocanu et al., "Scalable training of artificial neural networks with adaptive sparse connectivity", Nature Communications 2018.',
    differs: 'The original drops the smallest positive and largest negative weights separately, once per epoch, and regrows with small random values; here it is magnitude drop and random growth on RigL\'s schedule, regrown at zero, as in RigL\'s and ITOP\'s code.',
  },
  {
    name: 'RigL',
    group: 'Dynamic sparse training',
    what: 'Every ΔT steps until T_end, drop the smallest-magnitude weights and regrow where the dense gradient of the current batch is largest; the drop fraction decays by a cosine.',
    paper: 'Evci et al., "Rigging the Lottery: Making All Tickets Winners", ICML 2020.',
    differs: 'Ties are broken by index instead of by added noise; every prune and regrow keeps each layer\'s exact count.',
  },
  {
    name: 'SNFS (sparse momentum)',
    group: 'Dynamic sparse training',
    what: 'At the end of every epoch, prune small weights and regrow where the momentum is largest.',
    paper: 'Dettmers & Zettlemoyer, "Sparse Networks from Scratch: Faster Training without Losing Performance", 2019.',
    differs: 'No redistribution of regrowth across layers by mean momentum: each layer regrows what it pruned.',
  },
  { name: 'Uniform, ER, ERK', group: 'Layer densities', what: 'How the overall density is split across layers: the same everywhere (uniform), or proportional to (fan-in + fan-out)/(fan-in·fan-out), with kernel sizes for ERK, so small layers stay denser.', paper: 'ER: Mocanu et al. 2018; ERK: Evci et al. 2020.', differs: null },
  { name: 'SNIP', group: 'Masks at initialisation', what: 'Keep the weights whose removal would change the loss most, |w·∂L/∂w|, on one batch before training.', paper: 'Lee et al., "SNIP: Single-shot Network Pruning based on Connection Sensitivity", ICLR 2019.', differs: null },
  { name: 'GraSP', group: 'Masks at initialisation', what: 'Keep the weights that preserve the gradient flow, scored by the Hessian-gradient product.', paper: 'Wang et al., "Picking Winning Tickets Before Training by Preserving Gradient Flow", ICLR 2020.', differs: 'The Hessian-gradient product comes from central differences of two gradients, not double backprop; layers are not re-initialised with Xavier before scoring.' },
  { name: 'SynFlow', group: 'Masks at initialisation', what: 'Data-free: iteratively prune by the synaptic flow score |w·∂R/∂w| of an all-ones input, so no layer collapses.', paper: 'Tanaka et al., "Pruning neural networks without any data by iteratively conserving synaptic flow", NeurIPS 2020.', differs: null },
  {
    name: 'Lottery ticket (magnitude, rewinding)',
    group: 'Masks at initialisation',
    what: 'Train, keep the largest weights, rewind the survivors to their values at an early step, repeat; the re-initialised control draws fresh weights for the same mask.',
    paper: 'Frankle & Carbin, "The Lottery Ticket Hypothesis", ICLR 2019; rewinding: Frankle et al., ICML 2020.',
    differs: null,
  },
  {
    name: 'DST ensemble (FreeTickets)',
    group: 'Ensembles',
    what: 'M independent dynamic sparse runs with their own seeds; the ensemble averages their probabilities.',
    paper: 'Liu et al., "Deep Ensembling with No Overhead for either Training or Testing: The All-Round Blessings of Dynamic Sparsity", ICLR 2022.',
    differs: 'Members are the models at the last step; the released code keeps each member\'s best-validation checkpoint.',
  },
  {
    name: 'EDST ensemble (FreeTickets)',
    group: 'Ensembles',
    what: 'One sparse run: exploration, then M refinement phases (lr/10, then lr/100); a global exploration (prune q of every layer, regrow as many) before phases 2…M; the best validation checkpoint of each phase is a member.',
    paper: 'Liu et al., ICLR 2022 (as above).',
    differs: 'The best-accuracy bar is reset at the start of every refinement phase, as the paper describes; the released code does not reset it for the first member. The released drop rate is constant 0.5 (offered) although a cosine schedule is set up.',
  },
  {
    name: 'Prune-and-Tune ensemble',
    group: 'Ensembles',
    what: 'Train one dense parent, clone it into M sparse children (anti-random complementary pairs or random masks, classifier dense) and tune them briefly with a one-cycle learning rate.',
    paper: 'Whitaker & Whitley, "Prune and Tune Ensembles: Low-Cost Ensemble Learning with Sparse Independent Subnetworks", AAAI 2022.',
    differs: 'One-cycle\'s momentum cycling is not modelled; probabilities are averaged everywhere (the released evaluation averages logits for accuracy and NLL).',
  },
  { name: 'Dense ensemble', group: 'Ensembles', what: 'M dense networks trained independently: the deep-ensemble baseline.', paper: 'Lakshminarayanan et al., "Simple and Scalable Predictive Uncertainty Estimation using Deep Ensembles", NeurIPS 2017.', differs: null },
  {
    name: 'Smooth activations and ghost skips (ToST)',
    group: 'Training any mask better',
    what: 'Temporary help for a sparse network: swish (or parametric swish with rising β) in place of ReLU, and a dense bypass around each layer scaled by α(t) falling from 1 to 0.',
    paper: 'Jaiswal et al., "Training Your Sparse Neural Network Better with Any Mask", ICML 2022.',
    differs: 'The released code keeps its tricks for the whole run (α = 1, BatchNorm on each bypass). Here the ghosts are annealed away, so the trained network is exactly the plain sparse one.',
  },
  { name: 'Label smoothing', group: 'Training any mask better', what: 'Targets of 1 − α on the true class and α/(C − 1) on each other class: softer targets, better-calibrated confidence.', paper: 'Jaiswal et al. 2022 (ToST\'s convention; PyTorch uses α/C).', differs: null },
  {
    name: 'Layer-wise re-scaled initialisation',
    group: 'Training any mask better',
    what: 'Rescale each layer\'s initial weights: by 1/√density (closed form), or by scales learned so that the first step lowers the loss most (GradInit).',
    paper: 'Jaiswal et al. 2022; GradInit: Zhu et al., NeurIPS 2021.',
    differs: 'GradInit\'s gradient with respect to the scales comes from central finite differences of the GPU loss, not double backprop.',
  },
  { name: 'ITOP rate', group: 'Measures', what: 'The fraction of weights that have been active at any point of the run: how much of the dense network a sparse run has explored.', paper: 'Liu et al., "Do We Actually Need Dense Over-Parameterization? In-Time Over-Parameterization in Sparse Training", ICML 2021.', differs: null },
  { name: 'Disagreement, KL, ECE', group: 'Measures', what: 'How often two members\' predictions differ; how far apart their probabilities are (KL); how far confidence is from accuracy, over 15 bins (ECE).', paper: 'Fort et al. 2019 (disagreement); Guo et al., ICML 2017 (ECE); FreeTickets\' definitions.', differs: 'ECE uses 15 bins; FreeTickets\' code uses 14 (available in the runner).' },
];
