/**
 * A monospace editor for source text, such as a template: line numbers beside a textarea, and each line with a
 * problem marked in the gutter and across the text. Lines never wrap, so line n of the gutter is line n of the
 * text. Tab moves focus on, as everywhere else, so keyboard users are never trapped in it.
 */
import { useRef, type CSSProperties, type RefObject, type UIEvent } from 'react';

export interface LineMark {
  line: number;
  message: string;
}

interface Props {
  value: string;
  onChange?: (text: string) => void;
  marks?: LineMark[];
  rows?: number;
  readOnly?: boolean;
  /** For moving the caret to a problem from outside. */
  textareaRef?: RefObject<HTMLTextAreaElement | null>;
  /** Set by Field (or given directly): passed to the textarea. */
  id?: string;
  'aria-describedby'?: string;
  'aria-invalid'?: boolean;
  'aria-label'?: string;
}

export function CodeEditor({
  value,
  onChange,
  marks = [],
  rows = 14,
  readOnly,
  textareaRef,
  ...aria
}: Props) {
  const gutter = useRef<HTMLDivElement>(null);
  const bands = useRef<HTMLDivElement>(null);
  const own = useRef<HTMLTextAreaElement>(null);
  const area = textareaRef ?? own;
  const count = value.split('\n').length;
  const marked = new Map<number, string>();
  for (const mark of marks)
    marked.set(mark.line, marked.has(mark.line) ? `${marked.get(mark.line)}; ${mark.message}` : mark.message);

  // The gutter and the marks follow the text as it scrolls; set directly, so scrolling never re-renders.
  const follow = (event: UIEvent<HTMLTextAreaElement>) => {
    const { scrollTop } = event.currentTarget;
    if (gutter.current) gutter.current.scrollTop = scrollTop;
    if (bands.current) bands.current.style.transform = `translateY(${-scrollTop}px)`;
  };

  return (
    <div
      className={marked.size > 0 ? 'editor invalid' : 'editor'}
      style={{ '--rows': rows } as CSSProperties}
    >
      <div className="editor-gutter" ref={gutter} aria-hidden="true">
        {Array.from({ length: Math.max(count, rows) }, (_, i) => (
          <span
            key={i}
            className={marked.has(i + 1) ? 'bad' : i >= count ? 'past' : undefined}
            title={marked.get(i + 1)}
            data-line={i + 1}
          >
            {i + 1}
          </span>
        ))}
      </div>
      <div className="editor-body">
        <div className="editor-bands" ref={bands} aria-hidden="true">
          {[...marked.keys()].map((line) => (
            <span key={line} className="editor-band" style={{ top: `calc(${line - 1} * var(--lh))` }} />
          ))}
        </div>
        <textarea
          ref={area}
          wrap="off"
          spellCheck={false}
          autoCapitalize="off"
          autoComplete="off"
          autoCorrect="off"
          rows={rows}
          value={value}
          readOnly={readOnly}
          onChange={(event) => onChange?.(event.target.value)}
          onScroll={follow}
          {...aria}
        />
      </div>
    </div>
  );
}

/** The offset in `text` of a 1-based line and column, clamped to the text. */
export function offsetOf(text: string, line: number, column = 1): number {
  const lines = text.split('\n');
  let offset = 0;
  for (let i = 0; i < Math.min(line - 1, lines.length - 1); i++) offset += lines[i]!.length + 1;
  const current = lines[Math.min(line, lines.length) - 1] ?? '';
  return offset + Math.min(Math.max(column - 1, 0), current.length);
}

/** Focuses the textarea with the caret at a line and column, scrolled into view. */
export function moveCaret(area: HTMLTextAreaElement | null, line: number, column: number | null): void {
  if (!area) return;
  const at = offsetOf(area.value, line, column ?? 1);
  area.focus();
  area.setSelectionRange(at, at);
  // Scroll the line into the middle of the view: browsers do not scroll a textarea to a caret set by script.
  const lineHeight = parseFloat(getComputedStyle(area).lineHeight) || 20;
  // Setting scrollTop fires a scroll event, which moves the gutter along.
  area.scrollTop = Math.max(0, (line - 1) * lineHeight - area.clientHeight / 2);
}
