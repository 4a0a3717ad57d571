export type Theme = 'dark' | 'light';

export const THEME_STORAGE_KEY = 'pricelevel.theme';

/** The remembered choice, else the system's preference. */
export function initialTheme(stored: string | null, prefersDark: boolean): Theme {
  if (stored === 'dark' || stored === 'light') return stored;
  return prefersDark ? 'dark' : 'light';
}

export function otherTheme(t: Theme): Theme {
  return t === 'dark' ? 'light' : 'dark';
}

export interface Palette {
  background: string;
  text: string;
  grid: string;
  border: string;
  up: string;
  down: string;
  accent: string;
  support: string;
  resistance: string;
  marker: { gap: string; resync: string; reconnect: string };
}

export const PALETTES: Record<Theme, Palette> = {
  dark: {
    background: '#0f1419', text: '#c9d1d9', grid: '#1c232b', border: '#2d3640', up: '#26a69a', down: '#ef5350', accent: '#58a6ff',
    support: '#2ec27e', resistance: '#f0605d', marker: { gap: '#f5a623', resync: '#d16bff', reconnect: '#8b949e' },
  },
  light: {
    background: '#ffffff', text: '#1f2328', grid: '#eef1f4', border: '#d0d7de', up: '#089981', down: '#d93f3c', accent: '#0969da',
    support: '#1a7f37', resistance: '#cf222e', marker: { gap: '#bf8700', resync: '#8250df', reconnect: '#57606a' },
  },
};

/** `#rrggbb` with an alpha, as rgba(). */
export function withAlpha(hex: string, alpha: number): string {
  const n = Number.parseInt(hex.slice(1), 16);
  return `rgba(${(n >> 16) & 255}, ${(n >> 8) & 255}, ${n & 255}, ${alpha})`;
}
