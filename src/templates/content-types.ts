/** A template's content type decides the content-type header it is sent with and how its output is checked. */
import { XMLValidator } from 'fast-xml-parser';
import type { TemplateContentType } from '../store/index.js';
import { jsonErrorOffset } from './json-position.js';
import { problem, type TemplateProblem } from './problems.js';

export const CONTENT_TYPE_HEADERS: Record<TemplateContentType, string> = {
  json: 'application/json',
  xml: 'application/xml',
  form: 'application/x-www-form-urlencoded',
  text: 'text/plain; charset=utf-8',
};

/** Line and column (1-based) of a character offset. */
function position(body: string, offset: number): [number, number] {
  const before = body.slice(0, offset);
  const line = before.split('\n').length;
  return [line, offset - before.lastIndexOf('\n')];
}

/**
 * Is `body` valid for its content type? JSON must parse, XML must be well formed, a form body must have no
 * unencoded whitespace (surrounding whitespace is trimmed before: see {@link finishOutput}). Text is anything.
 * Positions are in the output.
 */
export function checkOutput(contentType: TemplateContentType, body: string): TemplateProblem[] {
  if (contentType === 'json') {
    try {
      JSON.parse(body);
      return [];
    } catch {
      const offset = jsonErrorOffset(body) ?? 0;
      const found =
        offset >= body.length ? 'the output ends too early' : `unexpected ${JSON.stringify(body[offset])}`;
      return [
        problem(
          'output',
          `the output is not valid JSON: ${found}`,
          ...position(body, Math.min(offset, body.length)),
        ),
      ];
    }
  }
  if (contentType === 'xml') {
    if (body.trim() === '') return [problem('output', 'the output is empty, which is not an XML document')];
    const verdict = XMLValidator.validate(body);
    if (verdict === true) return [];
    return [
      problem(
        'output',
        `the output is not well-formed XML: ${verdict.err.msg}`,
        verdict.err.line,
        verdict.err.col,
      ),
    ];
  }
  if (contentType === 'form') {
    const match = /\s/.exec(body);
    if (match)
      return [
        problem(
          'output',
          'the output is not form-encoded: it has unencoded whitespace; pass values through url_encode',
          ...position(body, match.index),
        ),
      ];
  }
  return [];
}

/** Whitespace around a form body is never meaningful (a template's last line break, say): it is trimmed. */
export function finishOutput(contentType: TemplateContentType, body: string): string {
  return contentType === 'form' ? body.trim() : body;
}
