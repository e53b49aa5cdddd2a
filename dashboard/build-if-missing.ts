// `prestart`: builds the dashboard when dashboard/dist is missing, so `npm ci && npm start` serves it on a fresh clone.
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { build } from 'vite';

const dist = fileURLToPath(new URL('./dist/index.html', import.meta.url));
if (!existsSync(dist)) {
  console.log('dashboard: building dashboard/dist (first start)…');
  await build({ configFile: fileURLToPath(new URL('./vite.config.ts', import.meta.url)), logLevel: 'warn' });
}
