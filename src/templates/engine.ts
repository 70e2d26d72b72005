/**
 * The Liquid engine templates run on, locked down and bounded:
 *
 * - No file system, network or process: `templates: {}` replaces the file system with an empty in-memory map,
 *   and the tags that load other templates (`include`, `render`, `layout`, `block`) are removed, so a template
 *   that names one fails to parse. Variables resolve only own properties (`ownPropertyOnly`), so prototypes and
 *   constructors are out of reach. Nothing else reaches outside the render.
 * - Bounded: source length (`parseLimit`), render time (`renderLimit`), allocations (`memoryLimit`, which
 *   `capture` is made to count too) and output size (an emitter that stops at the cap).
 * - Unknown filters fail at parse time (`strictFilters`). Dates format in UTC.
 *
 * Errors become {@link TemplateProblem}s with the line and column liquidjs reports.
 */
import {
  CaptureTag,
  Context,
  Liquid,
  LiquidError,
  toValue,
  toValueSync,
  type Emitter,
  type StaticAnalysis,
  type Template as LiquidTemplate,
} from 'liquidjs';
import { registerHeraldFilters } from './filters.js';
import {
  MAX_OUTPUT_CHARS,
  MAX_TEMPLATE_SOURCE,
  RENDER_MEMORY_LIMIT,
  RENDER_TIME_LIMIT_MS,
} from './limits.js';
import { problem, type TemplateProblem } from './problems.js';

/** `capture` builds its string outside the output emitter; charge it to the memory limit too. */
class BoundedCaptureTag extends CaptureTag {
  override *render(ctx: Context): Generator<unknown, void, string> {
    yield* super.render(ctx);
    const captured: unknown = (ctx.bottom() as Record<string, unknown>)[this.variable];
    if (typeof captured === 'string') ctx.memoryLimit.use(captured.length);
  }
}

class OutputTooLarge extends Error {
  constructor() {
    super(`the output is larger than ${MAX_OUTPUT_CHARS} characters (output limit)`);
  }
}

function text(value: unknown): string {
  const resolved: unknown = toValue(value);
  if (typeof resolved === 'string') return resolved;
  if (resolved === null || resolved === undefined) return '';
  if (Array.isArray(resolved)) return resolved.map(text).join('');
  return String(resolved);
}

/** Collects the output and stops the render as soon as it would pass the size cap. */
class CappedEmitter implements Emitter {
  buffer = '';
  write(html: unknown): void {
    const next = text(html);
    if (this.buffer.length + next.length > MAX_OUTPUT_CHARS) throw new OutputTooLarge();
    this.buffer += next;
  }
}

function createEngine(): Liquid {
  const liquid = new Liquid({
    templates: {},
    relativeReference: false,
    dynamicPartials: false,
    strictFilters: true,
    strictVariables: false,
    lenientIf: true,
    ownPropertyOnly: true,
    jsTruthy: false,
    timezoneOffset: 0,
    dateFormat: '%Y-%m-%dT%H:%M:%SZ',
    parseLimit: MAX_TEMPLATE_SOURCE,
    renderLimit: RENDER_TIME_LIMIT_MS,
    memoryLimit: RENDER_MEMORY_LIMIT,
  });
  for (const tag of ['include', 'render', 'layout', 'block']) delete liquid.tags[tag];
  liquid.registerTag('capture', BoundedCaptureTag);
  registerHeraldFilters(liquid);
  return liquid;
}

const engine = createEngine();

/** liquidjs appends ", line:2, col:5" to messages; problems carry the position separately. */
function withoutPosition(message: string): string {
  return message.replace(/, line:\d+, col:\d+$/, '');
}

function clearer(message: string): string {
  if (message.startsWith('memory alloc limit exceeded'))
    return `the template allocated more than ${RENDER_MEMORY_LIMIT} characters (memory limit)`;
  if (message.startsWith('template render limit exceeded'))
    return `rendering took longer than ${RENDER_TIME_LIMIT_MS} ms (time limit)`;
  if (message.startsWith('parse length limit exceeded'))
    return `the template is longer than ${MAX_TEMPLATE_SOURCE} characters`;
  if (message === 'Invalid string length')
    return `the template built a string too large to hold (memory limit)`;
  return message;
}

/** Turns anything liquidjs throws into a problem with its position. */
export function problemOf(error: unknown): TemplateProblem {
  if (error instanceof LiquidError || LiquidError.is(error)) {
    const liquidError = error as LiquidError & { token?: { getPosition(): [number, number] } };
    const [line, column] = liquidError.token?.getPosition() ?? [null, null];
    const message = clearer(withoutPosition(liquidError.message));
    const kind =
      liquidError.name === 'RenderError'
        ? 'render'
        : liquidError.name === 'UndefinedVariableError'
          ? 'unknown_variable'
          : message.startsWith('undefined filter')
            ? 'unknown_filter'
            : 'syntax';
    return problem(kind, message, line, column);
  }
  return problem('render', clearer(error instanceof Error ? error.message : String(error)));
}

export type Parsed = { ok: true; templates: LiquidTemplate[] } | { ok: false; problem: TemplateProblem };

/** Parses a template source. Only the first syntax error is found: parsing stops there. */
export function parseTemplate(source: string): Parsed {
  try {
    return { ok: true, templates: engine.parse(source) };
  } catch (error) {
    return { ok: false, problem: problemOf(error) };
  }
}

/** The variables a parsed template reads from outside itself (not those it assigns or loops over). */
export function globalVariables(templates: LiquidTemplate[]): StaticAnalysis['globals'] {
  return engine.analyzeSync(templates, { partials: false }).globals;
}

/** Renders within the limits. Throws a problem-carrying error on failure. */
export function renderParsed(templates: LiquidTemplate[], scope: object): string {
  const ctx = new Context(scope, engine.options, { sync: true }, { liquid: engine });
  const emitter = new CappedEmitter();
  toValueSync(engine.renderer.renderTemplates(templates, ctx, emitter));
  return emitter.buffer;
}
