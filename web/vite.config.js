// Vite build of the fazhi web console. Run from the repository root:
//   npx vite build --config web/vite.config.js
// The output goes to build/share/console, which `fazhi serve` serves at `/`.
// Everything the console needs is bundled: no CDN, no web fonts, no map tiles.
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { defineConfig } from 'vite';
import vue from '@vitejs/plugin-vue';

const webRoot = path.dirname(fileURLToPath(import.meta.url));
const repoRoot = path.resolve(webRoot, '..');

export default defineConfig({
  root: webRoot,
  base: '/',
  plugins: [vue()],
  define: {
    __VUE_OPTIONS_API__: 'true',
    __VUE_PROD_DEVTOOLS__: 'false',
    __VUE_PROD_HYDRATION_MISMATCH_DETAILS__: 'false',
  },
  build: {
    outDir: path.resolve(repoRoot, 'build/share/console'),
    emptyOutDir: true,
    target: 'es2020',
    chunkSizeWarningLimit: 700,
    rollupOptions: {
      output: {
        // Keep the large libraries in their own long-lived chunks.
        manualChunks(id) {
          if (!id.includes('node_modules')) return undefined;
          if (id.includes('/echarts/') || id.includes('/zrender/')) return 'echarts';
          if (id.includes('/element-plus/') || id.includes('/@element-plus/')) return 'element-plus';
          if (id.includes('/@vue/') || id.includes('/vue/')) return 'vue';
          return 'vendor';
        },
      },
    },
  },
  server: {
    // `npx vite --config web/vite.config.js` for development against a
    // running `fazhi serve` (FAZHI_URL, default http://127.0.0.1:8080).
    proxy: { '/api': process.env.FAZHI_URL || 'http://127.0.0.1:8080' },
  },
});
