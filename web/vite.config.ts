import { fileURLToPath } from 'node:url';
import { defineConfig } from 'vite';
import { svelte } from '@sveltejs/vite-plugin-svelte';

const webRoot = fileURLToPath(new URL('.', import.meta.url));

/** Where `vite dev` forwards API and Socket.IO traffic; override with SHOTSCALE_SERVER. */
const server = process.env.SHOTSCALE_SERVER ?? 'http://127.0.0.1:8420';

export default defineConfig({
  root: webRoot,
  // Relative asset URLs, so the built page also works behind a path prefix.
  base: './',
  plugins: [svelte()],
  build: {
    outDir: fileURLToPath(new URL('./dist', import.meta.url)),
    emptyOutDir: true,
    target: 'es2022',
  },
  server: {
    // The shared contracts live in ../server/shared.
    fs: { allow: [fileURLToPath(new URL('..', import.meta.url))] },
    proxy: {
      '/api': { target: server, changeOrigin: true },
      '/metrics': { target: server, changeOrigin: true },
      '/socket.io': { target: server, changeOrigin: true, ws: true },
    },
  },
});
