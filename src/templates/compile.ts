/**
 * Compiling template versions, and the cache of compiled ones. Versions never change, so a compiled version is
 * cached by (template id, version) for as long as the process lives (bounded, least recently used out first),
 * and the delivery hot path parses nothing.
 */
import type { Template as LiquidTemplate } from 'liquidjs';
import type { EventType, TemplateContent, TemplateContentType, TemplateVersion } from '../store/index.js';
import { globalVariables, parseTemplate } from './engine.js';
import { COMPILED_CACHE_SIZE } from './limits.js';
import { problem, type TemplateProblem } from './problems.js';
import { checkVariables, type DataSchema } from './variables.js';

export interface CompiledTemplate {
  contentType: TemplateContentType;
  templates: LiquidTemplate[];
}

export type Compiled = { ok: true; compiled: CompiledTemplate } | { ok: false; problems: TemplateProblem[] };

export function compile(content: Pick<TemplateContent, 'contentType' | 'body'>): Compiled {
  const parsed = parseTemplate(content.body);
  if (!parsed.ok) return { ok: false, problems: [parsed.problem] };
  return { ok: true, compiled: { contentType: content.contentType, templates: parsed.templates } };
}

/** The newest payload version of an event type, the one events arrive in; null when it has no schemas. */
export function newestVersion(eventType: EventType | undefined): string | null {
  const versions = Object.keys(eventType?.schemas ?? {}).sort((a, b) => Number(b) - Number(a));
  return versions[0] ?? null;
}

/** The schema `event.data` is checked against: the event type's newest payload version. */
export function dataSchemaOf(eventType: EventType | undefined): DataSchema | null {
  const version = newestVersion(eventType);
  if (!eventType || version === null) return null;
  return { schema: eventType.schemas![version]!, label: `${eventType.name} version ${version}` };
}

/**
 * Everything that can be known about a template without rendering it: syntax, filters, variables (strict,
 * against the event type's schema), and whether its event type and payload version exist. `eventType` is the
 * catalogue entry that `content.eventType` names, if any.
 */
export function checkTemplate(content: TemplateContent, eventType: EventType | undefined): TemplateProblem[] {
  const problems: TemplateProblem[] = [];
  if (content.eventType !== null && !eventType)
    problems.push(
      problem(
        'binding',
        `event type "${content.eventType}" is not in the catalogue; create it or fix the name`,
      ),
    );
  if (content.payloadVersion !== null) {
    if (content.eventType === null)
      problems.push(
        problem('binding', 'payloadVersion needs eventType: a payload version belongs to an event type'),
      );
    else if (eventType && !eventType.schemas?.[content.payloadVersion])
      problems.push(
        problem(
          'binding',
          `event type "${eventType.name}" has no payload version "${content.payloadVersion}" ` +
            `(it has ${Object.keys(eventType.schemas ?? {}).join(', ') || 'none'})`,
        ),
      );
  }
  const parsed = parseTemplate(content.body);
  if (!parsed.ok) return [...problems, parsed.problem];
  return [...problems, ...checkVariables(globalVariables(parsed.templates), dataSchemaOf(eventType))];
}

/** Compiled versions by `templateId@version`. */
export class CompiledCache {
  readonly #entries = new Map<string, Compiled>();

  constructor(private readonly capacity = COMPILED_CACHE_SIZE) {}

  static key(templateId: string, version: number): string {
    return `${templateId}@${version}`;
  }

  has(templateId: string, version: number): boolean {
    return this.#entries.has(CompiledCache.key(templateId, version));
  }

  /** The compiled version, compiling it on first use. A version that does not compile is cached as such. */
  get(version: TemplateVersion): Compiled {
    const key = CompiledCache.key(version.templateId, version.version);
    const hit = this.#entries.get(key);
    if (hit) {
      // Refresh its place: the least recently used entry is the first in the map.
      this.#entries.delete(key);
      this.#entries.set(key, hit);
      return hit;
    }
    const compiled = compile(version);
    if (this.#entries.size >= this.capacity) this.#entries.delete(this.#entries.keys().next().value!);
    this.#entries.set(key, compiled);
    return compiled;
  }

  /** A cached version, without compiling. */
  peek(templateId: string, version: number): Compiled | undefined {
    return this.#entries.get(CompiledCache.key(templateId, version));
  }
}

/** This process's compiled templates, shared by its delivery worker and its API. */
export const compiledTemplates = new CompiledCache();
