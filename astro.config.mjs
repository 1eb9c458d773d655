// The site lives in site/ (srcDir). Pages are rendered on demand by @astrojs/node in
// middleware mode, so `chatlas serve` runs the site, the API and the scheduler in one process.
import { defineConfig } from 'astro/config';
import node from '@astrojs/node';

export default defineConfig({
  srcDir: './site',
  outDir: './dist',
  output: 'server',
  adapter: node({ mode: 'middleware' }),
  telemetry: false,
  devToolbar: { enabled: false },
  security: { checkOrigin: true },
});
