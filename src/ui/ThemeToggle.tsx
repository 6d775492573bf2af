// Light, dark, or follow the system; remembered in this browser.
import { useEffect, useState } from 'react';

type Theme = 'system' | 'light' | 'dark';
const NEXT: Record<Theme, Theme> = { system: 'light', light: 'dark', dark: 'system' };
const KEY = 'stp-theme';

function stored(): Theme {
  try {
    const t = localStorage.getItem(KEY);
    return t === 'light' || t === 'dark' ? t : 'system';
  } catch {
    return 'system';
  }
}

export function ThemeToggle() {
  const [theme, setTheme] = useState<Theme>(stored);
  useEffect(() => {
    const root = document.documentElement;
    if (theme === 'system') delete root.dataset.theme;
    else root.dataset.theme = theme;
    try {
      localStorage.setItem(KEY, theme);
    } catch {
      // private mode: the choice lasts for this page only
    }
  }, [theme]);
  return (
    <button type="button" className="app__help-button" onClick={() => setTheme(NEXT[theme])} aria-label={`Colour theme: ${theme}. Switch to ${NEXT[theme]}.`} data-testid="theme">
      Theme: {theme}
    </button>
  );
}
