// Member and ensemble accuracy, NLL and ECE on the test set, with training FLOPs against one dense
// model: the table that says whether the ensemble beat its members, and at what cost.
import type { ResultView } from '../../state';

const pct = (v: number) => `${(v * 100).toFixed(1)} %`;

export function MemberTable({ result }: { result: ResultView }) {
  return (
    <table className="member-table" data-testid="member-table">
      <caption>
        Test set at step {result.step}: training FLOPs {result.trainFlopsRatio.toFixed(2)}× one dense model, inference {result.inferenceFlopsRatio.toFixed(2)}× one dense forward pass
      </caption>
      <thead>
        <tr>
          <th scope="col">model</th>
          <th scope="col">accuracy</th>
          <th scope="col">NLL</th>
          <th scope="col">ECE</th>
          <th scope="col">ever active (ITOP)</th>
        </tr>
      </thead>
      <tbody>
        {result.rows.map((r) => (
          <tr key={r.label}>
            <th scope="row">{r.label}</th>
            <td>{pct(r.accuracy)}</td>
            <td>{r.nll.toFixed(3)}</td>
            <td>{r.ece.toFixed(3)}</td>
            <td>{r.itop === null ? '—' : pct(r.itop)}</td>
          </tr>
        ))}
        <tr className="member-table__ensemble">
          <th scope="row">ensemble (mean of probabilities)</th>
          <td>{pct(result.ensemble.accuracy)}</td>
          <td>{result.ensemble.nll.toFixed(3)}</td>
          <td>{result.ensemble.ece.toFixed(3)}</td>
          <td />
        </tr>
      </tbody>
    </table>
  );
}
