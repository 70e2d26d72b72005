/**
 * Importing an environment document (`POST /api/v1/environment/import`). Everything is checked before anything
 * is written: the passphrase against the document's sealing, every endpoint's sealed values, URLs, filters,
 * address ranges and template references, and names that would clash. Then, in this order:
 *
 * - event types are upserted by name, as Svix's import does (created, or replaced by the document's);
 * - templates, applications and endpoints keep their ids; one that is already here (an application also by its
 *   uid, an endpoint also by its uid in its application) is left as it is, and only what is missing is added.
 *
 * So an import into an empty Herald restores the platform, and importing the same document again changes
 * nothing; an import never deletes or overwrites an application, endpoint or template.
 */
import { Type, type Static } from '@sinclair/typebox';
import { Value } from '@sinclair/typebox/value';
import type { Config } from '../config/config.js';
import { checkContentFilter } from '../delivery/content-filter.js';
import { openSealing, WrongPassphrase, type PassphraseSealing } from '../security/passphrase.js';
import type { Vault } from '../security/vault.js';
import { EndpointSecrets } from '../signing/secrets.js';
import { UniqueViolation, type Endpoint, type EndpointInsert, type Store } from '../store/index.js';
import { parseCidrs } from '../util/cidr.js';
import { checkEndpointUrl } from './endpoint-config.js';
import { everyItem } from './environment-export.js';
import { conflict, HttpError, unprocessable } from './errors.js';
import { replacedFields } from './routes/event-types.js';
import { checkRedactionRules } from './routes/privacy.js';
import type { EnvironmentEndpoint, EnvironmentIn } from './schemas/environment.js';

const KeyList = Type.Array(
  Type.Object({ key: Type.String({ minLength: 1 }), expiresAt: Type.Union([Type.Number(), Type.Null()]) }),
);
const Bundle = Type.Object({
  secrets: Type.Array(KeyList.items, { minItems: 1 }),
  headers: Type.Record(Type.String(), Type.String()),
  signingKeys: Type.Union([KeyList, Type.Null()]),
  auth: Type.Union([Type.Object({}, { additionalProperties: true }), Type.Null()]),
});

/** What the import wrote, for the audit log. */
export interface ImportCounts {
  eventTypes: number;
  templates: number;
  applications: number;
  endpoints: number;
}

/** An endpoint ready to write: its row, and the application it goes to here. */
type PlannedEndpoint = EndpointInsert;

export async function importEnvironment(
  store: Store,
  vault: Vault,
  config: Config,
  body: EnvironmentIn,
): Promise<ImportCounts> {
  const importVault = await sealedValuesKey(body);
  const eventTypes = (body.eventTypes ?? []).map((eventType) => ({
    name: eventType.name,
    ...replacedFields(eventType),
    retrySchedule: eventType.retryScheduleMs ?? null,
  }));
  const templates = await plannedTemplates(store, body);
  const templateVersions = new Map<string, number>(
    templates.existing.map((template) => [template.id, template.latestVersion]),
  );
  for (const template of templates.added) templateVersions.set(template.id, template.versions.length);
  const secrets = new EndpointSecrets(vault);
  const applications = await plannedApplications(store, body);
  const endpoints: PlannedEndpoint[] = [];
  const seenEndpoints = new Set<string>();
  for (const [i, application] of (body.applications ?? []).entries()) {
    const appId = applications.appIds[i]!;
    for (const [j, endpoint] of application.endpoints.entries()) {
      const place = `applications[${i}].endpoints[${j}]`;
      if (seenEndpoints.has(endpoint.id)) throw unprocessable(`${place}.id "${endpoint.id}" appears twice`);
      seenEndpoints.add(endpoint.id);
      checkEndpoint(endpoint, place, config, templateVersions);
      const bundle = openBundle(endpoint, place, importVault);
      endpoints.push({
        ...endpointRow(endpoint, appId),
        headersSealed: secrets.sealHeaders(bundle?.headers ?? {}),
        secretsSealed: bundle === null ? secrets.sealNewSecret(null) : vault.sealJson(bundle.secrets),
        signingKeysSealed: bundle?.signingKeys ? vault.sealJson(bundle.signingKeys) : null,
        authSealed: bundle?.auth ? vault.sealJson(bundle.auth) : null,
      });
    }
  }
  const existingEndpoints = await store.endpointGetMany(endpoints.map((endpoint) => endpoint.id));

  // Everything checked: write.
  for (const eventType of eventTypes)
    if (!(await store.eventTypeUpdate(eventType.name, eventType))) await store.eventTypeCreate(eventType);
  for (const template of templates.added) {
    const [first, ...rest] = template.versions;
    await store.templateCreate(
      { id: template.id, name: template.name, description: template.description },
      first!,
    );
    for (const version of rest) await store.templateVersionCreate(template.id, version);
  }
  for (const application of applications.added) await store.applicationCreate(application);
  let added = 0;
  for (const endpoint of endpoints) {
    if (existingEndpoints.has(endpoint.id)) continue;
    try {
      await store.endpointCreate(endpoint);
      added++;
    } catch (error) {
      // Its uid is taken in its application: the endpoint that is here stays.
      if (!(error instanceof UniqueViolation)) throw error;
    }
  }
  return {
    eventTypes: eventTypes.length,
    templates: templates.added.length,
    applications: applications.added.length,
    endpoints: added,
  };
}

/** The key that opens the endpoints' sealed values, or null when the document has none. */
async function sealedValuesKey(body: EnvironmentIn): Promise<Vault | null> {
  const sealedSomewhere = (body.applications ?? []).some((application) =>
    application.endpoints.some((endpoint) => endpoint.sealed !== undefined),
  );
  if (!sealedSomewhere) return null;
  if (!body.sealing)
    throw unprocessable(
      'sealing is required: the endpoints carry sealed values; send the document as exported',
    );
  if (body.passphrase === undefined)
    throw unprocessable(
      "passphrase is required: the endpoints' secrets are sealed with the export's passphrase",
    );
  try {
    return await openSealing(body.passphrase, body.sealing as PassphraseSealing);
  } catch (error) {
    if (error instanceof WrongPassphrase)
      throw unprocessable(
        'passphrase does not open the sealed values: it is not the passphrase of the export',
      );
    throw unprocessable(`sealing cannot be used: ${(error as Error).message}`);
  }
}

function openBundle(
  endpoint: EnvironmentEndpoint,
  place: string,
  key: Vault | null,
): Static<typeof Bundle> | null {
  if (endpoint.sealed === undefined || key === null) return null;
  let bundle: unknown;
  try {
    bundle = key.openJson(endpoint.sealed);
  } catch {
    throw unprocessable(`${place}.sealed cannot be opened: it was changed or belongs to another export`);
  }
  if (!Value.Check(Bundle, bundle))
    throw unprocessable(`${place}.sealed does not hold an endpoint's secrets`);
  return bundle;
}

function checkEndpoint(
  endpoint: EnvironmentEndpoint,
  place: string,
  config: Config,
  templateVersions: Map<string, number>,
): void {
  try {
    checkEndpointUrl(endpoint.url, config);
  } catch (error) {
    if (error instanceof HttpError) throw unprocessable(`${place}.url: ${error.detail}`);
    throw error;
  }
  if (endpoint.filter !== null) {
    const problem = checkContentFilter(endpoint.filter, `${place}.filter`);
    if (problem) throw unprocessable(`${problem.place} ${problem.problem}`);
  }
  try {
    if (endpoint.allowedDestinationCidrs) parseCidrs(endpoint.allowedDestinationCidrs);
  } catch {
    throw unprocessable(`${place}.allowedDestinationCidrs holds an entry that is not an address range`);
  }
  if (endpoint.templateId === null) return;
  const latest = templateVersions.get(endpoint.templateId);
  if (latest === undefined)
    throw unprocessable(`${place}.templateId "${endpoint.templateId}" is neither in the document nor here`);
  if (endpoint.templateVersion !== null && endpoint.templateVersion > latest)
    throw unprocessable(`${place}.templateVersion ${endpoint.templateVersion}: the template has ${latest}`);
}

function endpointRow(
  endpoint: EnvironmentEndpoint,
  appId: string,
): Omit<EndpointInsert, 'headersSealed' | 'secretsSealed'> & Pick<Endpoint, 'id' | 'appId'> {
  const { sealed: _sealed, retryScheduleMs, ...fields } = endpoint;
  return { ...fields, appId, retrySchedule: retryScheduleMs };
}

/** The document's templates that are not here yet (checked), and those of its templates that are. */
async function plannedTemplates(store: Store, body: EnvironmentIn) {
  const here = await everyItem((page) => store.templateList(page));
  const byId = new Map(here.map((template) => [template.id, template]));
  const names = new Map(here.map((template) => [template.name, template.id]));
  const added: Array<{
    id: string;
    name: string;
    description: string;
    versions: NonNullable<EnvironmentIn['templates']>[number]['versions'];
  }> = [];
  for (const [i, template] of (body.templates ?? []).entries()) {
    if (byId.has(template.id)) continue;
    template.versions.forEach((version, j) => {
      if (version.version !== j + 1)
        throw unprocessable(
          `templates[${i}].versions[${j}].version must be ${j + 1}: versions are 1, 2, … in order`,
        );
    });
    const holder = names.get(template.name);
    if (holder !== undefined && holder !== template.id)
      throw conflict(`templates[${i}].name "${template.name}" is taken here by template ${holder}`);
    names.set(template.name, template.id);
    byId.set(template.id, {
      ...template,
      latestVersion: template.versions.length,
      createdAt: 0,
      updatedAt: 0,
    });
    added.push(template);
  }
  const existing = [...byId.values()].filter((template) => !added.some((a) => a.id === template.id));
  return { added, existing };
}

/** Where each of the document's applications goes here (its own id, or the one already here), and which are new. */
async function plannedApplications(store: Store, body: EnvironmentIn) {
  const appIds: string[] = [];
  const added = [];
  const seen = new Set<string>();
  for (const [i, application] of (body.applications ?? []).entries()) {
    for (const key of [application.id, application.uid])
      if (key !== null && seen.has(key))
        throw unprocessable(`applications[${i}]: id or uid "${key}" appears twice in the document`);
    seen.add(application.id);
    if (application.uid !== null) seen.add(application.uid);
    const here =
      (await store.applicationGet(application.id)) ??
      (application.uid === null ? undefined : await store.applicationGet(application.uid));
    if (here) {
      appIds.push(here.id);
      continue;
    }
    try {
      if (application.allowedDestinationCidrs) parseCidrs(application.allowedDestinationCidrs);
    } catch {
      throw unprocessable(
        `applications[${i}].allowedDestinationCidrs holds an entry that is not an address range`,
      );
    }
    if (application.redactionRules)
      checkRedactionRules(application.redactionRules, ['body', 'applications', String(i), 'redactionRules']);
    const { endpoints: _endpoints, ...fields } = application;
    appIds.push(application.id);
    added.push(fields);
  }
  return { appIds, added };
}
