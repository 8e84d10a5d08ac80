import { type ReactNode, useEffect, useRef, useState } from "react";

/**
 * A long list rendered as a scrolling table body of fixed-height rows, of which only the visible
 * ones (and a few more) exist in the DOM: a thousand policies scroll and filter without long frames.
 */
export function VirtualRows<T>({
  items,
  rowHeight,
  height,
  header,
  columns,
  row,
  label,
}: {
  items: readonly T[];
  rowHeight: number;
  height: number;
  header: ReactNode;
  /** The <colgroup>: the table's layout is fixed, so its widths come from here, not from the rows. */
  columns: ReactNode;
  row: (item: T, index: number) => ReactNode;
  label: string;
}) {
  const ref = useRef<HTMLElement>(null);
  const [top, setTop] = useState(0);
  useEffect(() => {
    const el = ref.current;
    if (!el) return;
    let frame = 0;
    const onScroll = () => {
      cancelAnimationFrame(frame);
      frame = requestAnimationFrame(() => setTop(el.scrollTop));
    };
    el.addEventListener("scroll", onScroll, { passive: true });
    return () => {
      el.removeEventListener("scroll", onScroll);
      cancelAnimationFrame(frame);
    };
  }, []);
  // A shorter list than the scroll position: back to where rows are.
  useEffect(() => {
    const el = ref.current;
    if (el && el.scrollTop > items.length * rowHeight) {
      el.scrollTop = 0;
      setTop(0);
    }
  }, [items.length, rowHeight]);
  const overscan = 8;
  const first = Math.max(0, Math.floor(top / rowHeight) - overscan);
  const last = Math.min(items.length, Math.ceil((top + height) / rowHeight) + overscan);
  const visible = items.slice(first, last);
  return (
    <section ref={ref} className="virtual" style={{ maxHeight: height }} aria-label={label}>
      <table aria-rowcount={items.length + 1}>
        <colgroup>{columns}</colgroup>
        <thead>{header}</thead>
        <tbody>
          {first > 0 ? (
            <tr className="spacer" style={{ height: first * rowHeight }}>
              <td colSpan={99} />
            </tr>
          ) : null}
          {visible.map((item, i) => row(item, first + i))}
          {last < items.length ? (
            <tr className="spacer" style={{ height: (items.length - last) * rowHeight }}>
              <td colSpan={99} />
            </tr>
          ) : null}
        </tbody>
      </table>
    </section>
  );
}
