// The lessons list (a dialog from the header): each lesson's title and what it teaches, a link to
// it (#lesson/<id>), and where it was left when it has been started.
import { LESSONS, loadLessonProgress } from '../state';

export function LessonsMenu({ onClose }: { onClose: () => void }) {
  const storage = (() => {
    try {
      return window.localStorage;
    } catch {
      return null;
    }
  })();
  return (
    <div className="help" role="dialog" aria-modal="false" aria-labelledby="lessons-title" data-testid="lessons-menu">
      <h2 id="lessons-title">Lessons</h2>
      <ol className="lessons-menu">
        {LESSONS.map((l) => {
          const progress = storage ? loadLessonProgress(storage, l.id) : null;
          return (
            <li key={l.id}>
              <a href={`#lesson/${l.id}`} onClick={onClose}>
                {l.title}
              </a>{' '}
              — {l.summary}
              {progress && progress.page > 0 ? ` (left at page ${progress.page + 1} of ${l.pages.length})` : ''}
            </li>
          );
        })}
      </ol>
      <button type="button" onClick={onClose}>
        Close
      </button>
    </div>
  );
}
