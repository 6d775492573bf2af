// A members × members matrix as a heatmap with its values: prediction disagreement, KL divergence
// (row → column) or mask distance. Darker = further apart; the diagonal is a model with itself.
export function PairHeatmap({ title, labels, matrix, max, testId }: { title: string; labels: string[]; matrix: number[][]; max?: number; testId: string }) {
  const n = matrix.length;
  if (n === 0) return null;
  const top = max ?? Math.max(1e-9, ...matrix.flat());
  const cell = 34;
  const short = labels.map((l) => l.replace(/ \(.*\)$/, '').replace('member ', 'm').replace('child ', 'c'));
  return (
    <figure className="pair-heatmap" data-testid={testId}>
      <figcaption>{title}</figcaption>
      <svg width={n * cell + 40} height={n * cell + 22} role="img" aria-label={`${title}: ${matrix.map((row, i) => row.map((v, j) => (i < j ? `${short[i]}–${short[j]} ${v.toFixed(3)}` : '')).filter(Boolean).join(', ')).filter(Boolean).join(', ')}`}>
        {short.map((l, i) => (
          <text key={`r${i}`} x={36} y={22 + i * cell + cell / 2 + 4} fontSize={10} textAnchor="end" fill="currentColor">
            {l}
          </text>
        ))}
        {short.map((l, j) => (
          <text key={`c${j}`} x={40 + j * cell + cell / 2} y={14} fontSize={10} textAnchor="middle" fill="currentColor">
            {l}
          </text>
        ))}
        {matrix.map((row, i) =>
          row.map((v, j) => {
            const a = Math.min(1, v / top);
            return (
              <g key={`${i}-${j}`}>
                <rect x={40 + j * cell} y={20 + i * cell} width={cell - 2} height={cell - 2} fill={`rgba(0,114,178,${0.08 + 0.85 * a})`} data-value={v} />
                <text x={40 + j * cell + cell / 2 - 1} y={20 + i * cell + cell / 2 + 3} fontSize={9} textAnchor="middle" fill={a > 0.55 ? '#fff' : 'currentColor'}>
                  {v < 0.01 && v > 0 ? v.toExponential(0) : v.toFixed(2)}
                </text>
              </g>
            );
          }),
        )}
      </svg>
    </figure>
  );
}
