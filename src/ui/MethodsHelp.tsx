// In-app help on the methods: what each does, its paper, and where the playground deliberately
// differs from the paper's released code.
import { METHOD_HELP, type MethodHelp } from '../state';

export function MethodsHelp({ onClose }: { onClose: () => void }) {
  const groups = [...new Set(METHOD_HELP.map((m) => m.group))];
  return (
    <div className="help help--methods" role="dialog" aria-modal="false" aria-labelledby="methods-title" data-testid="methods-help">
      <h2 id="methods-title">Methods</h2>
      {groups.map((g) => (
        <section key={g}>
          <h3>{g}</h3>
          <dl>
            {METHOD_HELP.filter((m: MethodHelp) => m.group === g).map((m) => (
              <div key={m.name} className="methods__item">
                <dt>{m.name}</dt>
                <dd>
                  {m.what} <cite>{m.paper}</cite>
                  {m.differs ? (
                    <>
                      {' '}
                      <strong>Here:</strong> {m.differs}
                    </>
                  ) : null}
                </dd>
              </div>
            ))}
          </dl>
        </section>
      ))}
      <button type="button" onClick={onClose}>
        Close
      </button>
    </div>
  );
}
