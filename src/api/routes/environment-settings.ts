/**
 * Svix's environment settings (what its consumer portal reads to know which features to show) and an
 * application's alert email addresses. Herald has one environment, no portal theming, and sends no email:
 * it stores the addresses an application gives, so they can be read back and exported, and reports failing
 * endpoints through operational webhooks (`endpoint.disabled`, `message.attempt.failing`, …) instead.
 */
import { Type, type TSchema } from '@sinclair/typebox';
import { unprocessable } from '../errors.js';
import { routeModule } from '../route-group.js';
import { AppParams, Nullable } from '../schemas/common.js';

const MAX_ADDRESSES = 20;
/** A pragmatic address check (one `@`, a dotted domain, no spaces); delivery would tell the rest. */
const EMAIL = /^[^\s@,]+@[^\s@,]+\.[^\s@,]+$/;

const AlertEmailPatch = Type.Object({
  email: Type.Optional(
    Nullable(
      Type.String({
        maxLength: 2048,
        description: 'A comma-separated list of email addresses; null or empty removes them',
        example: 'user1@example.com, user2@example.com',
      }),
    ),
  ),
});

const AlertEmailOut = Type.Object({
  email: Nullable(Type.String({ description: 'The comma-separated list, as set' })),
});

/** An object of optional, nullable fields of one type: Svix's theme shapes, which Herald leaves null. */
const optionalFields = <T extends TSchema>(names: string[], type: T) =>
  Type.Object(Object.fromEntries(names.map((name) => [name, Type.Optional(Nullable(type))])));

const ColorPalette = optionalFields(
  [
    'primary',
    'backgroundPrimary',
    'backgroundSecondary',
    'backgroundHover',
    'textPrimary',
    'textSecondary',
    'textDanger',
    'interactiveAccent',
    'navigationAccent',
    'buttonPrimary',
    'borderPrimary',
  ],
  Type.String(),
);

const EnvironmentSettingsOut = Type.Object({
  customColor: Nullable(Type.String()),
  logoUrl: Nullable(Type.String()),
  customLogoUrl: Nullable(Type.String()),
  customFontFamily: Nullable(Type.String()),
  customFontFamilyUrl: Nullable(Type.String()),
  customThemeOverride: Nullable(
    Type.Object({
      borderRadius: Type.Optional(Nullable(optionalFields(['button', 'card', 'input'], Type.String()))),
      fontSize: Type.Optional(Nullable(optionalFields(['base'], Type.Integer()))),
    }),
  ),
  customStringsOverride: Nullable(
    optionalFields(['channelsOne', 'channelsMany', 'channelsHelp'], Type.String()),
  ),
  colorPaletteLight: Nullable(ColorPalette),
  colorPaletteDark: Nullable(ColorPalette),
  displayName: Nullable(Type.String()),
  enableChannels: Type.Boolean(),
  enableMessageTags: Type.Boolean(),
  enableMessageStream: Type.Boolean(),
  enableIntegrationManagement: Type.Boolean(),
  enableTransformations: Type.Boolean(),
  enableEndpointOauthConfig: Type.Boolean(),
  enableEndpointMtlsConfig: Type.Boolean(),
  showUseSvixPlay: Type.Boolean(),
  showSvixBrandFooter: Type.Boolean(),
  wipeSuccessfulPayload: Type.Boolean(),
  showFeatureTooltips: Type.Boolean(),
  advancedEndpointTypes: Type.Array(Type.String()),
});

/** The addresses of Svix's comma-separated list, trimmed; each must look like one. */
export function parseAlertEmails(list: string): string[] {
  const addresses = list
    .split(',')
    .map((part) => part.trim())
    .filter((part) => part !== '');
  if (addresses.length > MAX_ADDRESSES)
    throw unprocessable(`body.email lists ${addresses.length} addresses; at most ${MAX_ADDRESSES}`);
  for (const address of addresses)
    if (!EMAIL.test(address))
      throw unprocessable(`body.email: "${address.slice(0, 100)}" is not an email address`);
  return addresses;
}

export const environmentSettingsRoutes = routeModule({}, (route, { store, audit }) => {
  route.patch(
    '/app/:app_id/alert-email',
    {
      access: 'app',
      tags: ['Application'],
      summary: "Set an application's alert email addresses",
      description:
        'Stores the addresses (comma-separated; null or empty removes them). Herald sends no email: it ' +
        'reports failing and disabled endpoints through operational webhooks, which can forward to email.',
      params: AppParams,
      body: AlertEmailPatch,
      response: { 204: Type.Null() },
    },
    async (request, reply) => {
      const application = request.application;
      const addresses = parseAlertEmails(request.body.email ?? '');
      const emails = addresses.length === 0 ? null : addresses.join(', ');
      await store.alertEmailSet(application.id, emails);
      await audit.record(request, {
        action: 'application.alert_email.changed',
        targetType: 'application',
        targetId: application.id,
        appId: application.id,
        after: { email: emails },
      });
      return reply.status(204).send(null);
    },
  );

  route.get(
    '/app/:app_id/alert-email',
    {
      access: 'app',
      tags: ['Application', 'Herald'],
      summary: "Get an application's alert email addresses",
      description: 'Herald: reads back what `PATCH …/alert-email` set.',
      params: AppParams,
      response: { 200: AlertEmailOut },
    },
    async (request) => ({ email: await store.alertEmailGet(request.application.id) }),
  );

  route.get(
    '/environment/settings',
    {
      access: 'any',
      tags: ['Environment-Settings'],
      summary: "Get the environment's settings",
      description:
        'What the consumer portal may offer. Herald has no portal theming (the theme fields are null) and ' +
        'keeps successful payloads as its retention settings say; the feature switches say which Svix ' +
        'features this Herald serves.',
      response: { 200: EnvironmentSettingsOut },
    },
    async (request) => {
      const serves = (method: 'GET' | 'POST', url: string) =>
        request.server.hasRoute({ method, url: `/api/v1${url}` });
      return {
        customColor: null,
        logoUrl: null,
        customLogoUrl: null,
        customFontFamily: null,
        customFontFamilyUrl: null,
        customThemeOverride: null,
        customStringsOverride: null,
        colorPaletteLight: null,
        colorPaletteDark: null,
        displayName: null,
        enableChannels: true,
        enableMessageTags: false,
        enableMessageStream: false,
        enableIntegrationManagement: false,
        enableTransformations: serves('GET', '/app/:app_id/endpoint/:endpoint_id/transformation'),
        enableEndpointOauthConfig: serves('GET', '/app/:app_id/endpoint/:endpoint_id/oauth'),
        enableEndpointMtlsConfig: false,
        showUseSvixPlay: false,
        showSvixBrandFooter: false,
        wipeSuccessfulPayload: false,
        showFeatureTooltips: false,
        advancedEndpointTypes: [],
      };
    },
  );
});
