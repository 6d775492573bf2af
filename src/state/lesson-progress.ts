// Where each lesson was left: its page and the settings the learner had, kept in the browser's
// localStorage (injected, so tests use a Map), so a lesson resumes where it was left. Anything
// read back is checked: a broken entry is ignored, never trusted.
import { parseConfig, type ExperimentConfig } from '../config';
import { lessonById } from './lessons';

export interface StorageLike {
  getItem(key: string): string | null;
  setItem(key: string, value: string): void;
  removeItem(key: string): void;
}

export interface LessonProgress {
  page: number;
  config: ExperimentConfig;
}

const key = (id: string) => `stp.lesson.${id}`;

export function saveLessonProgress(storage: StorageLike, id: string, progress: LessonProgress): void {
  try {
    storage.setItem(key(id), JSON.stringify(progress));
  } catch {
    // Storage full or disabled: the lesson still works, it just will not resume.
  }
}

export function loadLessonProgress(storage: StorageLike, id: string): LessonProgress | null {
  const lesson = lessonById(id);
  if (!lesson) return null;
  try {
    const raw = storage.getItem(key(id));
    if (raw === null) return null;
    const v = JSON.parse(raw) as { page?: unknown; config?: unknown };
    const page = typeof v.page === 'number' && Number.isInteger(v.page) ? Math.max(0, Math.min(lesson.pages.length - 1, v.page)) : 0;
    const c = parseConfig(v.config);
    return c.ok ? { page, config: c.config } : null;
  } catch {
    return null;
  }
}

export function clearLessonProgress(storage: StorageLike, id: string): void {
  storage.removeItem(key(id));
}

/** The lesson's preset, parsed (a preset that fails the schema is a bug: the unit tests run each). */
export function lessonConfig(id: string): ExperimentConfig {
  const lesson = lessonById(id);
  if (!lesson) throw new Error(`no lesson "${id}"`);
  const r = parseConfig(lesson.config);
  if (!r.ok) throw new Error(`lesson ${id}: ${r.errors.map((e) => `${e.path}: ${e.message}`).join('; ')}`);
  return r.config;
}
