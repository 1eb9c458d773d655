// The site lives in site/ (srcDir). Pages are rendered on demand by @astrojs/node in
// middleware mode, so `chatlas serve` runs the site, the API and the scheduler in one process.
import { defineConfig } from 'astro/config';
import node from '@astrojs/node';

export default defineConfig({
  srcDir: './site',
  outDir: './dist',
  output: 'server',
  // staticHeaders: the CSP of prerendered pages goes to dist/_headers.json, which
  // jobs/serve/server.ts sends as a header with the file (a <meta> policy cannot carry
  // frame-ancestors); on-demand pages get it as a header from Astro itself.
  adapter: node({ mode: 'middleware', staticHeaders: true }),
  // The site has no Markdown; Shiki's inline styles would need 'unsafe-inline' under the CSP.
  markdown: { syntaxHighlight: false },
  telemetry: false,
  devToolbar: { enabled: false },
  security: {
    checkOrigin: true,
    // The one Content-Security-Policy of the site's pages
    // (https://docs.astro.build/en/reference/configuration-reference/#securitycsp).
    // Astro adds the hashes of the scripts and styles it emits, so no inline script
    // runs unless Astro put it there: crawled text that slipped past escaping could not.
    csp: {
      directives: [
        "default-src 'self'",
        "img-src 'self' data:",
        "connect-src 'self'",
        "object-src 'none'",
        "base-uri 'none'",
        "frame-ancestors 'none'",
        "form-action 'self'",
      ],
      styleDirective: {
        // style="" attributes (chart heights, software colour dots) are computed from our own
        // data; style attributes cannot run script. <style> elements still need Astro's hashes.
        // style-src itself stays Astro's default, 'self' plus the hashes.
        resources: [{ resource: "'unsafe-inline'", kind: 'attribute' }],
      },
    },
  },
});
