import react from "@vitejs/plugin-react";
import { defineConfig } from "vite";

/**
 * The console is served by the admin listener at /console/ from dist/console (src/admin/console-static.ts).
 * Assets are content-hashed (cached for a year); the entry HTML has no inline script, so the admin
 * listener's Content-Security-Policy can say script-src 'self'.
 */
export default defineConfig({
  root: import.meta.dirname,
  base: "/console/",
  plugins: [react()],
  build: {
    outDir: "../dist/console",
    emptyOutDir: true,
    // Each asset is a file: nothing inlined as a data: URL, so img-src/font-src 'self' hold.
    assetsInlineLimit: 0,
    modulePreload: { polyfill: false },
    sourcemap: false,
    reportCompressedSize: false,
  },
});
