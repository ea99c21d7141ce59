// The screens' build: Preact + TypeScript, one HTML shell, a chunk per screen (the dock handheld loads only the
// shell and its own chunk). The service worker is generated here with the exact list of built files, so the
// handheld opens the app shell with no network (web/src/sw-template.js).
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { defineConfig, type Plugin } from 'vite';

const here = fileURLToPath(new URL('.', import.meta.url));

function serviceWorker(): Plugin {
  return {
    name: 'motor-ledger-service-worker',
    apply: 'build',
    generateBundle(_options, bundle) {
      const files = Object.keys(bundle)
        .filter((f) => !f.endsWith('.map') && f !== 'index.html')
        .map((f) => `/${f}`);
      const shell = ['/index.html', '/manifest.webmanifest', '/icon.svg', ...files].sort();
      const version = shell.join('|');
      let hash = 0;
      for (let i = 0; i < version.length; i++) hash = (Math.imul(31, hash) + version.charCodeAt(i)) | 0;
      const source = readFileSync(`${here}src/sw-template.js`, 'utf8')
        .replace('__SHELL__', JSON.stringify(shell))
        .replace('__VERSION__', (hash >>> 0).toString(36));
      this.emitFile({ type: 'asset', fileName: 'sw.js', source });
    },
  };
}

export default defineConfig({
  root: here,
  base: '/',
  publicDir: 'public',
  plugins: [serviceWorker()],
  build: {
    outDir: '../dist/web',
    emptyOutDir: true,
    target: 'es2022',
    sourcemap: false,
    reportCompressedSize: true,
  },
});
