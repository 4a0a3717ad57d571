import { GatewayApi } from './api.js';
import { App } from './app.js';
import { initialTheme, THEME_STORAGE_KEY } from './theme.js';

const query = new URLSearchParams(location.search);
const token = query.get('token') ?? undefined;
const wsUrl = `${location.protocol === 'https:' ? 'wss' : 'ws'}://${location.host}/ws${token ? `?token=${encodeURIComponent(token)}` : ''}`;
let stored: string | null = null;
try {
  stored = localStorage.getItem(THEME_STORAGE_KEY);
} catch {
  // storage may be disabled; the system preference decides
}
const theme = initialTheme(stored, matchMedia('(prefers-color-scheme: dark)').matches);
const app = new App({ api: new GatewayApi(location.origin, token), wsUrl, theme, query });
void app.start();
