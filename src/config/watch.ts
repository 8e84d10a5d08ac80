import { type FSWatcher, watch } from "node:fs";
import { basename, dirname, resolve } from "node:path";

/**
 * Calls `onChange` when a file changes, however the editor saves it: the directory is watched,
 * since many editors write a new file and rename it over the old one. Bursts of events are
 * debounced into one call.
 */
export function watchFile(path: string, onChange: () => void, debounceMs = 100): { close(): void } {
  const absolute = resolve(path);
  const name = basename(absolute);
  let timer: NodeJS.Timeout | undefined;
  const watcher: FSWatcher = watch(dirname(absolute), (_event, file) => {
    if (file !== null && file !== name) return;
    clearTimeout(timer);
    timer = setTimeout(onChange, debounceMs);
  });
  watcher.on("error", () => {});
  return {
    close() {
      clearTimeout(timer);
      watcher.close();
    },
  };
}
