// The open lesson: its page's text, a "Show me" button that scrolls to the view to watch and
// outlines it, the change to try (one click: the settings change and the run resets), the
// question with what the learner should see, and Back / Next / Leave. Leaving keeps the page and
// settings (saved by main.tsx), so the lesson's URL resumes it.
import { useEffect, useRef } from 'react';
import { applyConfigInput } from './config-edit';
import { useAppState } from './use-app-state';
import { LessonRuns } from './LessonRuns';
import { appStore, lessonById, lessonConfig, lessonLength, lessonRunInput } from '../state';

/** Scrolls to the element with `testId` and outlines it for two seconds. */
export function showView(testId: string): void {
  const el = document.querySelector<HTMLElement>(`[data-testid="${testId}"]`);
  if (!el) return;
  el.scrollIntoView({ behavior: 'smooth', block: 'center' });
  el.classList.add('lesson-highlight');
  setTimeout(() => el.classList.remove('lesson-highlight'), 2000);
}

export function LessonPanel() {
  const open = useAppState((s) => s.lesson);
  const config = useAppState((s) => s.config);
  const heading = useRef<HTMLHeadingElement>(null);
  const lesson = open ? lessonById(open.id) : undefined;
  useEffect(() => heading.current?.focus(), [open?.id, open?.page]);
  if (!open || !lesson) return null;
  const page = lesson.pages[open.page]!;
  const last = open.page === lesson.pages.length - 1;
  const go = (p: number) => appStore.getState().setLesson({ id: lesson.id, page: p });
  const leave = () => appStore.getState().setLesson(null);
  // The lesson's run as the claims were measured on: the preset with the variant's changes, at the
  // learner's current seed (so "try another seed" carries over).
  const apply = () => applyConfigInput(lessonRunInput(lesson, page.apply!.variant, config.seed));
  const restart = () => {
    appStore.getState().setConfig(lessonConfig(lesson.id));
    go(0);
    void appStore.getState().session?.rebuild();
  };
  return (
    <section className="lesson" aria-label={`Lesson: ${lesson.title}`} data-testid="lesson">
      <p className="lesson__crumb">
        Lesson · {lesson.title} · page {open.page + 1} of {lesson.pages.length}
      </p>
      <h2 ref={heading} tabIndex={-1} data-testid="lesson-title">
        {page.title}
      </h2>
      <p>{page.body}</p>
      {open.page === 0 ? (
        <p className="panel__note" data-testid="lesson-length">
          {lessonLength(lesson)}
        </p>
      ) : null}
      <div className="lesson__actions">
        {page.watch ? (
          <button type="button" onClick={() => showView(page.watch!.testId)}>
            Show me {page.watch.view}
          </button>
        ) : null}
        {page.apply ? (
          <button type="button" className="lesson__apply" onClick={apply} data-testid="lesson-apply">
            {page.apply.label}
          </button>
        ) : null}
      </div>
      {page.question ? (
        <div className="lesson__question">
          <p>
            <strong>Question:</strong> {page.question.ask}
          </p>
          <details data-testid="lesson-answer">
            <summary>What you should see</summary>
            <p>{page.question.answer}</p>
          </details>
        </div>
      ) : null}
      <LessonRuns lesson={lesson} />
      <nav className="lesson__nav" aria-label="Lesson pages">
        <button type="button" disabled={open.page === 0} onClick={() => go(open.page - 1)}>
          Back
        </button>
        {last ? (
          <button type="button" onClick={leave} data-testid="lesson-finish">
            Finish
          </button>
        ) : (
          <button type="button" onClick={() => go(open.page + 1)} data-testid="lesson-next">
            Next
          </button>
        )}
        <button type="button" onClick={restart}>
          Restart lesson
        </button>
        <button type="button" onClick={leave}>
          Leave (resume later)
        </button>
      </nav>
    </section>
  );
}
