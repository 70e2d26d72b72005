/**
 * What an endpoint receives: its template (and pinned version), payload version and format conversion. Checked
 * on every write, so a delivery never meets a template or version that was never there.
 */
import type { Conversion, Endpoint, Store } from '../store/index.js';
import { unprocessable } from './errors.js';

type Shaping = Pick<Endpoint, 'templateId' | 'templateVersion' | 'payloadVersion' | 'conversion'>;

interface ShapingBody {
  templateId?: string | null;
  templateVersion?: number | null;
  payloadVersion?: string | null;
  conversion?: Conversion;
}

export function shapingOut(endpoint: Endpoint): Shaping {
  return {
    templateId: endpoint.templateId,
    templateVersion: endpoint.templateVersion,
    payloadVersion: endpoint.payloadVersion,
    conversion: endpoint.conversion,
  };
}

/**
 * The settings after a request: omitted fields take their defaults (`existing` undefined: create, PUT) or stay
 * as they are (PATCH). A pinned version is dropped with the template it belonged to.
 */
function effective(body: ShapingBody, existing: Shaping | undefined): Shaping {
  const templateId = body.templateId !== undefined ? body.templateId : (existing?.templateId ?? null);
  const sameTemplate = existing !== undefined && templateId === existing.templateId;
  return {
    templateId,
    templateVersion:
      templateId === null
        ? null
        : body.templateVersion !== undefined
          ? body.templateVersion
          : sameTemplate
            ? existing.templateVersion
            : null,
    payloadVersion:
      body.payloadVersion !== undefined ? body.payloadVersion : (existing?.payloadVersion ?? null),
    conversion: body.conversion ?? existing?.conversion ?? 'none',
  };
}

/** Checks the request's shaping settings and returns them in store form, ready to write. */
export async function shapingSettings(store: Store, body: ShapingBody, existing?: Shaping): Promise<Shaping> {
  const settings = effective(body, existing);
  if (body.templateVersion !== undefined && body.templateVersion !== null && settings.templateId === null)
    throw unprocessable(['body', 'templateVersion'], 'pins a version of a template; set templateId too');
  if (settings.templateId === null) return settings;
  if (settings.conversion !== 'none')
    throw unprocessable(
      ['body', 'conversion'],
      `"${settings.conversion}" converts the standard body, but a template sets the body itself; ` +
        'use conversion "none" with a template, or give the template the content type you want',
    );
  const template = await store.templateGet(settings.templateId);
  if (!template)
    throw unprocessable(
      ['body', 'templateId'],
      `"${settings.templateId}" is not a template; create it first (POST /api/v1/template)`,
    );
  const number = settings.templateVersion ?? template.latestVersion;
  const version = await store.templateVersionGet(template.id, number);
  if (!version)
    throw unprocessable(
      ['body', 'templateVersion'],
      `${number} does not exist; template "${template.name}" has versions 1 to ` +
        `${template.latestVersion}`,
    );
  if (
    settings.payloadVersion !== null &&
    version.payloadVersion !== null &&
    version.payloadVersion !== settings.payloadVersion
  )
    throw unprocessable(
      ['body', 'payloadVersion'],
      `is "${settings.payloadVersion}", but version ${version.version} of template ` +
        `"${template.name}" produces payload version "${version.payloadVersion}"; pin a template version that ` +
        'produces it, or change payloadVersion',
    );
  return settings;
}
