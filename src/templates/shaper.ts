/**
 * Body shaping on the delivery path. The worker calls {@link BodyShaper.prepare} once per claimed batch: it
 * loads what the batch's endpoints need (the latest version numbers of the templates they follow, versions not
 * yet compiled in this process, their applications, and event types where an endpoint pins a payload version)
 * in a few set-based queries, and none at all when no endpoint in the batch uses a template or pins a version.
 * Shaping each delivery is then pure computation on cached compiled templates.
 */
import type {
  Application,
  Conversion,
  EventType,
  JsonObject,
  Message,
  Metadata,
  Store,
} from '../store/index.js';
import { compiledTemplates, newestVersion, type Compiled, type CompiledCache } from './compile.js';
import { problem } from './problems.js';
import { convertBody, renderTemplate, scopeOf, type Shaped } from './render.js';

/** What shaping needs to know about an endpoint. */
export interface ShapeTarget {
  id: string;
  appId: string;
  uid: string | null;
  metadata: Metadata;
  templateId: string | null;
  templateVersion: number | null;
  payloadVersion: string | null;
  conversion: Conversion;
}

type ShapedMessage = Pick<Message, 'id' | 'eventType' | 'eventId' | 'channels' | 'createdAt' | 'payload'>;

/** Whether the endpoint's body differs from the payload's standard JSON: a template or a format conversion. */
export function shapesBody(target: Pick<ShapeTarget, 'templateId' | 'conversion'>): boolean {
  return target.templateId !== null || target.conversion !== 'none';
}

/** What one claimed batch needs to shape its bodies. */
export class ShapingBatch {
  constructor(
    /** The compiled version each templated endpoint gets now, by endpoint id; missing when it is gone. */
    private readonly compiled: ReadonlyMap<string, Compiled>,
    private readonly apps: ReadonlyMap<string, Application>,
    private readonly eventTypes: ReadonlyMap<string, EventType>,
  ) {}

  /**
   * Converted bodies by message and conversion: a message fanned out to many endpoints is serialised once per
   * batch, not once per delivery.
   */
  readonly #converted = new Map<string, { body: string; contentType: string }>();

  /** The bytes to send for `message` (whose payload `payload` is) and their content type, or the problems that stop the delivery. */
  shape(target: ShapeTarget, message: ShapedMessage, payload: JsonObject): Shaped {
    if (target.templateId !== null) {
      const compiled = this.compiled.get(target.id);
      if (compiled === undefined)
        return {
          ok: false,
          problems: [
            problem(
              'binding',
              target.templateVersion === null
                ? `template ${target.templateId} does not exist; bind another template to the endpoint`
                : `version ${target.templateVersion} of template ${target.templateId} does not exist; pin another`,
            ),
          ],
        };
      if (!compiled.ok) return compiled;
      const app = this.apps.get(target.appId);
      const scope = scopeOf({ ...message, payload }, target, {
        id: target.appId,
        uid: app?.uid ?? null,
        name: app?.name ?? '',
        metadata: app?.metadata ?? {},
      });
      return renderTemplate(compiled.compiled, scope);
    }
    if (target.payloadVersion !== null) {
      const newest = newestVersion(this.eventTypes.get(message.eventType));
      if (newest !== null && newest !== target.payloadVersion)
        return {
          ok: false,
          problems: [
            problem(
              'binding',
              `the endpoint receives payload version ${target.payloadVersion} of ${message.eventType}, but the ` +
                `event is version ${newest} and no template maps it; bind a template that produces version ` +
                `${target.payloadVersion}, or move the endpoint to version ${newest}`,
            ),
          ],
        };
    }
    const key = `${target.conversion}:${message.id}`;
    let converted = this.#converted.get(key);
    if (converted === undefined) {
      converted = convertBody(payload, target.conversion);
      this.#converted.set(key, converted);
    }
    return { ok: true, ...converted };
  }
}

export class BodyShaper {
  constructor(
    private readonly store: Store,
    private readonly cache: CompiledCache = compiledTemplates,
  ) {}

  async prepare(targets: Iterable<ShapeTarget>, messages: Iterable<ShapedMessage>): Promise<ShapingBatch> {
    const all = [...targets];
    const templated = all.filter((target) => target.templateId !== null);
    const pinsVersion = all.some((t) => t.templateId === null && t.payloadVersion !== null);
    const following = [
      ...new Set(templated.filter((t) => t.templateVersion === null).map((t) => t.templateId!)),
    ];
    const [latest, apps, eventTypes] = await Promise.all([
      this.store.templateLatestVersions(following),
      this.store.applicationGetMany([...new Set(templated.map((t) => t.appId))]),
      pinsVersion
        ? this.store.eventTypeGetMany([...new Set([...messages].map((m) => m.eventType))])
        : new Map<string, EventType>(),
    ]);
    const versions = new Map<string, number>();
    for (const target of templated) {
      const version = target.templateVersion ?? latest.get(target.templateId!);
      if (version !== undefined) versions.set(target.id, version);
    }
    const uncached = new Map<string, { templateId: string; version: number }>();
    for (const target of templated) {
      const version = versions.get(target.id);
      if (version !== undefined && !this.cache.has(target.templateId!, version))
        uncached.set(`${target.templateId}@${version}`, { templateId: target.templateId!, version });
    }
    for (const version of await this.store.templateVersionGetMany([...uncached.values()]))
      this.cache.get(version);
    // Held for the batch, so that other batches filling the cache cannot evict what this one needs.
    const compiled = new Map<string, Compiled>();
    for (const target of templated) {
      const version = versions.get(target.id);
      const entry = version === undefined ? undefined : this.cache.peek(target.templateId!, version);
      if (entry) compiled.set(target.id, entry);
    }
    return new ShapingBatch(compiled, apps, eventTypes);
  }
}
