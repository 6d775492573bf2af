import { describe, expect, it } from 'vitest';
import { ACTIVATION_KINDS, activationBackward, activationForward, type ActivationKind } from '../../../src/reference/activation';
import { mulberry32 } from '../../../src/util/rng';
import { gradCheck, ones, randomArray } from './gradcheck';

const sig = (z: number): number => 1 / (1 + Math.exp(-z));

describe('activations', () => {
  it('lists the four kinds', () => {
    expect([...ACTIVATION_KINDS].sort()).toEqual(['pswish', 'relu', 'swish', 'tanh']);
  });

  it('forward matches hand values', () => {
    const x = Float32Array.from([-1, 0, 0.5, 2]);
    const f = (k: ActivationKind, beta = 1): number[] => Array.from(activationForward(k, x, beta));
    expect(f('relu')).toEqual([0, 0, 0.5, 2]);
    const near = (got: number[], want: number[]): void => want.forEach((w, i) => expect(got[i]).toBeCloseTo(w, 6));
    near(f('tanh'), [Math.tanh(-1), 0, Math.tanh(0.5), Math.tanh(2)]);
    near(f('swish'), [-sig(-1), 0, 0.5 * sig(0.5), 2 * sig(2)]);
    near(f('pswish', 2), [-sig(-2), 0, 0.5 * sig(1), 2 * sig(4)]);
    // pswish with beta = 1 is swish; beta does not affect the other kinds.
    expect(f('pswish', 1)).toEqual(f('swish'));
    expect(f('swish', 5)).toEqual(f('swish', 1));
  });

  it('relu derivative is 0 at x <= 0 and 1 above', () => {
    const dx = activationBackward('relu', Float32Array.from([-2, 0, 3]), ones(3), 1);
    expect(Array.from(dx)).toEqual([0, 0, 1]);
  });

  it('derivatives at 0 match the formulas', () => {
    const at0 = (k: ActivationKind, beta: number): number => activationBackward(k, Float32Array.of(0), Float32Array.of(1), beta)[0]!;
    expect(at0('tanh', 1)).toBe(1);
    expect(at0('swish', 1)).toBe(0.5);
    expect(at0('pswish', 3)).toBe(0.5);
  });

  it('stays finite for |x| up to 1e4', () => {
    const x = Float32Array.from([-1e4, -800, -50, 50, 800, 1e4]);
    for (const k of ACTIVATION_KINDS) {
      const y = activationForward(k, x, 2.5);
      const dx = activationBackward(k, x, ones(x.length), 2.5);
      for (const v of [...y, ...dx]) expect(Number.isFinite(v), `${k}: ${v}`).toBe(true);
    }
    expect(Array.from(activationForward('swish', x, 1)).map((v) => v + 0)).toEqual([0, 0, Math.fround(-50 * sig(-50)), 50, 800, 1e4]);
    expect(Array.from(activationBackward('swish', x, ones(6), 1)).map((v) => v + 0)).toEqual([0, 0, Math.fround(sig(-50) - 50 * sig(-50) * sig(50)), 1, 1, 1]);
  });

  it('names dy when its length is wrong', () => {
    expect(() => activationBackward('tanh', new Float32Array(3), new Float32Array(2), 1)).toThrow(/dy/);
  });
});

describe('activation gradients (finite differences)', () => {
  for (const kind of ACTIVATION_KINDS) {
    it(`${kind}: activationBackward is dL/dx`, () => {
      const rng = mulberry32(40);
      const beta = 1.7;
      // 2 members x 3 batch x 8 features, spread over [-4, 4]; relu keeps clear of its kink at 0.
      const x = randomArray(rng, 2 * 3 * 8, 2);
      if (kind === 'relu') for (let i = 0; i < x.length; i++) if (Math.abs(x[i]!) < 0.1) x[i] = x[i]! < 0 ? -0.1 : 0.1;
      const res = gradCheck({
        inputs: [x],
        forward: ([xx]) => activationForward(kind, xx!, beta),
        vjp: (r, [xx]) => [activationBackward(kind, xx!, r, beta)],
      });
      expect(res.failures).toEqual([]);
    });
  }
});
