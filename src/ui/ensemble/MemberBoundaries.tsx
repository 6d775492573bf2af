// Each member's decision boundary side by side, then the ensemble's (mean of probabilities): where
// the members disagree, their regions differ, and the ensemble is unsure (lighter).
import { useEffect, useRef } from 'react';
import { drawBoundary } from '../draw-boundary';
import type { BoundaryView } from '../../state';

const S = 150;

function Small({ view, label }: { view: BoundaryView; label: string }) {
  const ref = useRef<HTMLCanvasElement>(null);
  useEffect(() => {
    const c = ref.current;
    const ctx = c?.getContext('2d');
    if (!c || !ctx) return;
    c.width = c.height = S;
    ctx.clearRect(0, 0, S, S);
    drawBoundary(ctx, view, S, 1.6);
  }, [view]);
  return (
    <figure className="member-boundary">
      <canvas ref={ref} width={S} height={S} role="img" aria-label={`Decision boundary of ${label}`} data-testid="member-boundary" />
      <figcaption>{label}</figcaption>
    </figure>
  );
}

export function MemberBoundaries({ labels, views }: { labels: string[]; views: BoundaryView[] }) {
  return (
    <div className="member-boundaries" data-testid="member-boundaries">
      {views.map((v, i) => (
        <Small key={labels[i]} view={v} label={labels[i]!.replace(/ \(.*\)$/, '')} />
      ))}
    </div>
  );
}
