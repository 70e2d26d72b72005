/**
 * Building the environment document (`POST /api/v1/environment/export`): the event-type catalogue, every
 * application with its endpoints, and every template with all its versions, since endpoints may pin any of
 * them. Each endpoint's secrets, signing keys, headers and credentials are opened with the master key and sealed
 * again with the passphrase's key, so the document never holds them in the clear; without a passphrase they are
 * left out.
 */
import type { Vault } from '../security/vault.js';
import { sealingFor, type PassphraseSealing } from '../security/passphrase.js';
import type { Application, Endpoint, Page, PageQuery, Store, Template } from '../store/index.js';
import { eventTypeOut } from './routes/event-types.js';
import { MAX_PAGE_SIZE, toIso } from './schemas/common.js';
import {
  ENVIRONMENT_DOCUMENT_VERSION,
  type EnvironmentApplication,
  type EnvironmentEndpoint,
  type EnvironmentOut,
  type EnvironmentTemplate,
} from './schemas/environment.js';

/** What an endpoint's `sealed` value holds: its sealed-at-rest fields, opened. */
export interface EndpointSecretsBundle {
  secrets: unknown;
  headers: unknown;
  signingKeys: unknown;
  auth: unknown;
}

/** Every item of a paged listing, page by page. */
export async function everyItem<T>(list: (page: PageQuery) => Promise<Page<T>>): Promise<T[]> {
  const items: T[] = [];
  let iterator: string | undefined;
  for (;;) {
    const page = await list({ limit: MAX_PAGE_SIZE, iterator, order: 'ascending' });
    items.push(...page.data);
    if (page.done || page.iterator === null) return items;
    iterator = page.iterator;
  }
}

export async function exportEnvironment(
  store: Store,
  vault: Vault,
  passphrase: string | undefined,
  now = Date.now(),
): Promise<EnvironmentOut> {
  const sealed = passphrase === undefined ? null : await sealingFor(passphrase);
  const exportVault = sealed?.vault ?? null;
  const [eventTypes, applications, templates] = await Promise.all([
    everyItem((page) => store.eventTypeList(page, true)),
    everyItem((page) => store.applicationList(page)),
    everyItem((page) => store.templateList(page)),
  ]);
  const apps: EnvironmentApplication[] = [];
  for (const application of applications) {
    const endpoints = await everyItem((page) => store.endpointList(application.id, page));
    apps.push(applicationOut(application, endpoints, vault, exportVault));
  }
  const templatesOut: EnvironmentTemplate[] = [];
  for (const template of templates) templatesOut.push(await templateOut(store, template));
  return {
    version: ENVIRONMENT_DOCUMENT_VERSION,
    createdAt: toIso(now),
    eventTypes: eventTypes.map((eventType) => ({
      ...eventTypeOut(eventType),
      retryScheduleMs: eventType.retrySchedule,
    })),
    settings: null,
    connectors: [],
    applications: apps,
    templates: templatesOut,
    sealing: (sealed?.sealing ?? null) as PassphraseSealing | null,
  };
}

function applicationOut(
  application: Application,
  endpoints: Endpoint[],
  vault: Vault,
  exportVault: Vault | null,
): EnvironmentApplication {
  return {
    id: application.id,
    uid: application.uid,
    name: application.name,
    metadata: application.metadata,
    throttleRate: application.throttleRate,
    allowedDestinationCidrs: application.allowedDestinationCidrs,
    payloadRetentionHours: application.payloadRetentionHours,
    storeResponseBodies: application.storeResponseBodies,
    redactionRules: application.redactionRules,
    endpoints: endpoints.map((endpoint) => endpointOut(endpoint, vault, exportVault)),
  };
}

function endpointOut(endpoint: Endpoint, vault: Vault, exportVault: Vault | null): EnvironmentEndpoint {
  const open = (sealed: string | null): unknown => (sealed === null ? null : vault.openJson(sealed));
  const bundle: EndpointSecretsBundle = {
    secrets: open(endpoint.secretsSealed),
    headers: open(endpoint.headersSealed),
    signingKeys: open(endpoint.signingKeysSealed),
    auth: open(endpoint.authSealed),
  };
  // Every setting goes as stored; what Herald manages itself (health, times) and the sealed fields do not.
  const {
    appId: _appId,
    secretsSealed: _secrets,
    headersSealed: _headers,
    signingKeysSealed: _signingKeys,
    authSealed: _auth,
    disabledReason: _disabledReason,
    failingSince: _failingSince,
    circuitOpenUntil: _circuitOpenUntil,
    compressionRefusedAt: _compressionRefusedAt,
    createdAt: _createdAt,
    updatedAt: _updatedAt,
    retrySchedule,
    ...settings
  } = endpoint;
  return {
    ...settings,
    retryScheduleMs: retrySchedule,
    ...(exportVault !== null && { sealed: exportVault.sealJson(bundle) }),
  };
}

async function templateOut(store: Store, template: Template): Promise<EnvironmentTemplate> {
  const versions = await everyItem((page) => store.templateVersionList(template.id, page));
  return {
    id: template.id,
    name: template.name,
    description: template.description,
    versions: versions.map((version) => ({
      version: version.version,
      contentType: version.contentType,
      body: version.body,
      eventType: version.eventType,
      payloadVersion: version.payloadVersion,
    })),
  };
}
