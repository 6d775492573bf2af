// The worker that runs SynFlow's rounds off the page's thread (synflow-rounds.ts). Messages out:
// { round: k } after each round but the last, then { result } (or { error }).
import { synflowRounds, type SynflowJob } from './synflow-rounds';

const post = (message: unknown, transfer: Transferable[] = []) => (self as unknown as { postMessage(m: unknown, t: Transferable[]): void }).postMessage(message, transfer);

self.onmessage = (e: MessageEvent<SynflowJob>) => {
  try {
    const result = synflowRounds(e.data, (round) => post({ round }));
    post({ result }, result.masks.flat().map((m) => m.buffer));
  } catch (err) {
    post({ error: err instanceof Error ? err.message : String(err) });
  }
};
