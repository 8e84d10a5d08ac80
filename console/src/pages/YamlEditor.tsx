import { yaml } from "@codemirror/lang-yaml";
import { type Diagnostic, forceLinting, linter, lintGutter } from "@codemirror/lint";
import { basicSetup, EditorView } from "codemirror";
import { forwardRef, useEffect, useImperativeHandle, useRef } from "react";
import type { Problem } from "../api/client";

export interface YamlEditorHandle {
  goTo(line: number, column?: number): void;
}

/**
 * CodeMirror 6 over the YAML text, with the admin API's problems as diagnostics at their lines.
 * Loaded only with the Configuration page (its own chunk).
 */
export const YamlEditor = forwardRef<
  YamlEditorHandle,
  { value: string; onChange: (text: string) => void; problems: readonly Problem[]; label: string }
>(function YamlEditor({ value, onChange, problems, label }, ref) {
  const host = useRef<HTMLDivElement>(null);
  const view = useRef<EditorView | null>(null);
  const problemsRef = useRef(problems);
  problemsRef.current = problems;
  const onChangeRef = useRef(onChange);
  onChangeRef.current = onChange;

  // biome-ignore lint/correctness/useExhaustiveDependencies: the editor is created once and owns its text; later values arrive through the effect below
  useEffect(() => {
    if (!host.current) return;
    // In a shadow root CodeMirror's styles are constructed style sheets (adoptedStyleSheets), which the
    // console's Content-Security-Policy (style-src 'self', no inline <style>) allows.
    const shadow = host.current.shadowRoot ?? host.current.attachShadow({ mode: "open" });
    const v = new EditorView({
      doc: value,
      root: shadow,
      parent: shadow,
      extensions: [
        basicSetup,
        yaml(),
        lintGutter(),
        linter(
          (editor) => {
            const out: Diagnostic[] = [];
            for (const p of problemsRef.current) {
              if (p.line === undefined || p.line > editor.state.doc.lines) continue;
              const line = editor.state.doc.line(p.line);
              const from = Math.min(line.to, line.from + Math.max(0, (p.column ?? 1) - 1));
              out.push({
                from,
                to: line.to,
                severity: p.severity,
                message: `${p.path ? `${p.path}: ` : ""}${p.reason}`,
              });
            }
            return out;
          },
          { delay: 100 },
        ),
        EditorView.updateListener.of((u) => {
          if (u.docChanged) onChangeRef.current(u.state.doc.toString());
        }),
        EditorView.contentAttributes.of({ "aria-label": label, tabindex: "0" }),
        EditorView.theme({
          "&": { height: "640px", fontSize: "14px" },
          ".cm-scroller": { fontFamily: 'ui-monospace, "DejaVu Sans Mono", Menlo, Consolas, monospace' },
          "&.cm-focused": { outline: "3px solid #f0a000" },
        }),
      ],
    });
    view.current = v;
    return () => {
      v.destroy();
      view.current = null;
    };
  }, []);

  useEffect(() => {
    const v = view.current;
    if (v && v.state.doc.toString() !== value) {
      v.dispatch({ changes: { from: 0, to: v.state.doc.length, insert: value } });
    }
  }, [value]);

  // biome-ignore lint/correctness/useExhaustiveDependencies: new problems (read through a ref) make the linter run again
  useEffect(() => {
    const v = view.current;
    if (v) forceLinting(v);
  }, [problems]);

  useImperativeHandle(ref, () => ({
    goTo(line, column = 1) {
      const v = view.current;
      if (!v || line > v.state.doc.lines) return;
      const l = v.state.doc.line(line);
      const pos = Math.min(l.to, l.from + column - 1);
      v.dispatch({ selection: { anchor: pos }, effects: EditorView.scrollIntoView(pos, { y: "center" }) });
      v.focus();
    },
  }));

  return <div ref={host} className="cm-host" />;
});
