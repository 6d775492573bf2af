// Saved runs in the browser's IndexedDB (one object store, keyed by an auto-increment id).
// Typed arrays of a checkpoint are stored by structured clone, not as JSON.
import { parseSavedRun, type SavedRun } from './saved-run';

const DB = 'sparse-training-playground';
const STORE = 'runs';

export interface SavedRunSummary {
  id: number;
  name: string;
  savedAt: string;
  step: number;
  resumable: boolean;
}

function open(): Promise<IDBDatabase> {
  return new Promise((resolve, reject) => {
    const req = indexedDB.open(DB, 1);
    req.onupgradeneeded = () => req.result.createObjectStore(STORE, { keyPath: 'id', autoIncrement: true });
    req.onsuccess = () => resolve(req.result);
    req.onerror = () => reject(req.error ?? new Error('IndexedDB could not be opened'));
  });
}

function request<T>(mode: IDBTransactionMode, fn: (s: IDBObjectStore) => IDBRequest<T>): Promise<T> {
  return open().then(
    (db) =>
      new Promise<T>((resolve, reject) => {
        const tx = db.transaction(STORE, mode);
        const req = fn(tx.objectStore(STORE));
        tx.oncomplete = () => {
          db.close();
          resolve(req.result);
        };
        tx.onerror = () => {
          db.close();
          reject(tx.error ?? new Error('IndexedDB transaction failed'));
        };
      }),
  );
}

export async function saveRunToDb(run: SavedRun): Promise<number> {
  return Number(await request('readwrite', (s) => s.add(run)));
}

export async function listSavedRuns(): Promise<SavedRunSummary[]> {
  const all = (await request('readonly', (s) => s.getAll())) as (SavedRun & { id: number })[];
  return all.map((r) => ({ id: r.id, name: r.name, savedAt: r.savedAt, step: r.step, resumable: r.checkpoint !== undefined })).reverse();
}

/** A saved run, checked against the schema like any imported file. */
export async function loadRunFromDb(id: number): Promise<SavedRun> {
  const raw = (await request('readonly', (s) => s.get(id))) as (SavedRun & { id?: number }) | undefined;
  if (!raw) throw new Error(`no saved run ${id}`);
  const { id: _id, ...rest } = raw;
  void _id;
  const r = parseSavedRun(rest);
  if (!r.ok) throw new Error(`saved run ${id} is damaged: ${r.errors.join('; ')}`);
  return r.run;
}

export async function deleteSavedRun(id: number): Promise<void> {
  await request('readwrite', (s) => s.delete(id));
}
