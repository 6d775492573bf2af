// React binding of the vanilla app store: components re-render only when their slice changes.
import { useStore } from 'zustand';
import { appStore, type AppActions, type AppState } from '../state';

export function useAppState<T>(selector: (s: AppState & AppActions) => T): T {
  return useStore(appStore, selector);
}
