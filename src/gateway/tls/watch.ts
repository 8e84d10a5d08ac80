import { type FSWatcher, watch } from "node:fs";
import { basename, dirname } from "node:path";

export interface FilesWatch {
  close(): void;
}

/**
 * Calls `onChange` (at most once per `debounceMs`) after any of `files` may have changed. Watches
 * their directories, not the files: editors and tools (certbot, Kubernetes secrets, `mv new.crt
 * shop.crt`) replace a file by renaming another over it, which a watch on the old file never sees.
 * Callers compare contents, so a spurious call costs one read.
 */
export function watchFiles(files: readonly string[], onChange: () => void, debounceMs = 200): FilesWatch {
  const byDir = new Map<string, Set<string>>();
  for (const file of files) {
    const dir = dirname(file);
    let names = byDir.get(dir);
    if (names === undefined) {
      names = new Set();
      byDir.set(dir, names);
    }
    names.add(basename(file));
  }
  let timer: NodeJS.Timeout | undefined;
  let closed = false;
  const fire = () => {
    if (closed) return;
    clearTimeout(timer);
    timer = setTimeout(() => {
      if (!closed) onChange();
    }, debounceMs);
    timer.unref();
  };
  const watchers: FSWatcher[] = [];
  for (const [dir, names] of byDir) {
    try {
      const watcher = watch(dir, { persistent: false }, (_event, name) => {
        // Kubernetes swaps a `..data` symlink; other tools rename temporary files: any event whose
        // name is unknown (or absent) may be such a swap, and costs only a re-read.
        if (name === null || names.has(String(name)) || String(name).startsWith("..")) fire();
      });
      watcher.on("error", () => {});
      watchers.push(watcher);
    } catch {
      // The directory is gone: the next configuration reload reports the missing files.
    }
  }
  return {
    close() {
      closed = true;
      clearTimeout(timer);
      for (const w of watchers) w.close();
    },
  };
}
