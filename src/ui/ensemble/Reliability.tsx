// The ensemble's reliability diagram: per confidence bin, how often it is right (bars) against the
// diagonal of perfect calibration; the gap, weighted by the bin's share of examples, is the ECE.
import type { ReliabilityBin } from '../../ensemble';

export function Reliability({ bins, ece }: { bins: ReliabilityBin[]; ece: number }) {
  const W = 220;
  const H = 220;
  const total = bins.reduce((a, b) => a + b.count, 0);
  return (
    <figure className="reliability" data-testid="reliability">
      <figcaption>Reliability of the ensemble (ECE {ece.toFixed(3)})</figcaption>
      <svg width={W + 34} height={H + 28} role="img" aria-label={`Reliability diagram: ${bins.filter((b) => b.count > 0).map((b) => `confidence ${b.lower.toFixed(2)}–${b.upper.toFixed(2)}: accuracy ${b.accuracy.toFixed(2)} over ${b.count}`).join('; ')}`}>
        <g transform="translate(26,4)">
          <rect x={0} y={0} width={W} height={H} fill="none" stroke="currentColor" strokeOpacity={0.3} />
          <line x1={0} y1={H} x2={W} y2={0} stroke="currentColor" strokeOpacity={0.5} strokeDasharray="4 3" />
          {bins.map((b) =>
            b.count > 0 ? (
              <g key={b.lower}>
                <rect className="reliability__bar" x={b.lower * W + 1} y={H - b.accuracy * H} width={(b.upper - b.lower) * W - 2} height={b.accuracy * H} fill="#0072B2" fillOpacity={0.35 + 0.6 * Math.min(1, (b.count / Math.max(1, total)) * 4)} />
                <rect x={b.lower * W + 1} y={H - Math.max(b.accuracy, b.confidence) * H} width={(b.upper - b.lower) * W - 2} height={Math.abs(b.confidence - b.accuracy) * H} fill="#D55E00" fillOpacity={0.35} />
              </g>
            ) : null,
          )}
          {[0, 0.5, 1].map((t) => (
            <g key={t} fontSize={9} fill="currentColor">
              <text x={t * W} y={H + 10} textAnchor="middle">
                {t}
              </text>
              <text x={-3} y={H - t * H + 3} textAnchor="end">
                {t}
              </text>
            </g>
          ))}
          <text x={W / 2} y={H + 20} fontSize={10} textAnchor="middle" fill="currentColor">
            confidence
          </text>
          <text x={-H / 2} y={-14} fontSize={10} textAnchor="middle" transform="rotate(-90)" fill="currentColor">
            accuracy
          </text>
        </g>
      </svg>
    </figure>
  );
}
