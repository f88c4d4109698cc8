import react from '@vitejs/plugin-react';
import { defineConfig } from 'vite';

// Built files are served by the API server (src/http/web-app.ts); `npm run dev:web` proxies /api.
export default defineConfig({
  root: new URL('.', import.meta.url).pathname,
  plugins: [react()],
  build: { outDir: 'dist', emptyOutDir: true, chunkSizeWarningLimit: 2500 },
  server: { proxy: { '/api': 'http://127.0.0.1:3000', '/pay/form': 'http://127.0.0.1:3000', '/pay/return': 'http://127.0.0.1:3000', '/sandbox': 'http://127.0.0.1:3000' } },
});
