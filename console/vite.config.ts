import react from '@vitejs/plugin-react';
import { defineConfig } from 'vite';

// `npm run console:dev` serves the console with hot reload and sends API calls to a running `tenet serve`.
export default defineConfig({
  root: import.meta.dirname,
  plugins: [react()],
  build: {
    outDir: 'dist',
    emptyOutDir: true,
    target: 'es2022',
    sourcemap: false,
    reportCompressedSize: false,
  },
  server: {
    proxy: { '/v1': process.env.TENET_URL ?? 'http://127.0.0.1:8080' },
  },
});
