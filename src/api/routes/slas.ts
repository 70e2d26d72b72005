/**
 * Herald: delivery SLAs of an application or one of its endpoints, with their compliance now and over their
 * window. Application keys manage their own application's SLAs, as they manage its endpoints; the platform-wide
 * list of SLAs at risk is for admin keys.
 */
import {
  figuresOut,
  percent,
  slaCompliance,
  SLA_WINDOWS,
  windowName,
  type SlaFiguresOut,
} from '../../delivery/sla.js';
import { Type, type Static } from '@sinclair/typebox';
import type { Application, Sla, SlaSettings, Store } from '../../store/index.js';
import { newId } from '../../util/ids.js';
import { notFound, unprocessable } from '../errors.js';
import { routeModule } from '../route-group.js';
import { AppParams, toIso } from '../schemas/common.js';
import {
  DELAY_SECONDS,
  MAX_SLAS_PER_APPLICATION,
  SlaAtRiskOut,
  SlaIn,
  SlaListOut,
  SlaListQuery,
  SlaOut,
  SlaParams,
  SlaWithHistoryOut,
} from '../schemas/slas.js';

/** How many SLAs the list of those at risk shows at most. */
export const AT_RISK_SHOWN = 100;

const fraction = (percent: number | null | undefined) => (percent == null ? null : percent / 100);

/** The settings a request asks for, or a 422 saying what is wrong with them. */
async function settingsOf(store: Store, app: Application, body: Static<typeof SlaIn>): Promise<SlaSettings> {
  const successTarget = fraction(body.successTarget);
  const delayTarget = fraction(body.delayTarget);
  const delaySeconds = body.delaySeconds ?? null;
  if (successTarget === null && delayTarget === null)
    throw unprocessable(
      ['successTarget', 'delayTarget'].map((field) => ({
        loc: ['body', field],
        msg: 'is missing, and so is the other target: an SLA needs a target; set successTarget, delayTarget, or both',
        type: 'value_error.missing',
      })),
    );
  if ((delayTarget === null) !== (delaySeconds === null))
    throw unprocessable(
      ['body', delayTarget === null ? 'delayTarget' : 'delaySeconds'],
      `is missing: delayTarget and delaySeconds go together; set both or neither`,
      'value_error.missing',
    );
  if (delaySeconds !== null && !DELAY_SECONDS.includes(delaySeconds))
    throw unprocessable(
      ['body', 'delaySeconds'],
      `must be one of ${DELAY_SECONDS.join(', ')}, got ${delaySeconds}`,
    );
  let endpointId: string | null = null;
  if (body.endpointId != null) {
    const endpoint = await store.endpointGet(app.id, body.endpointId);
    if (!endpoint)
      throw unprocessable(
        ['body', 'endpointId'],
        `"${body.endpointId}" is not an endpoint of this application`,
      );
    endpointId = endpoint.id;
  }
  return {
    endpointId,
    name: body.name,
    windowMs: SLA_WINDOWS[body.window as keyof typeof SLA_WINDOWS],
    successTarget,
    delayMs: delaySeconds === null ? null : delaySeconds * 1000,
    delayTarget,
  };
}

/** An SLA as the API shows it, with `compliance` given. */
function slaOut(sla: Sla, compliance: SlaFiguresOut) {
  return {
    id: sla.id,
    appId: sla.appId,
    endpointId: sla.endpointId,
    name: sla.name,
    window: windowName(sla.windowMs),
    successTarget: percent(sla.successTarget),
    delayTarget: percent(sla.delayTarget),
    delaySeconds: sla.delayMs === null ? null : sla.delayMs / 1000,
    breachedSince: sla.breachedAt === null ? null : toIso(sla.breachedAt),
    createdAt: toIso(sla.createdAt),
    updatedAt: toIso(sla.updatedAt),
    compliance,
  };
}

/** The settings an audit record keeps. */
const auditedSettings = (sla: SlaSettings) => ({
  endpointId: sla.endpointId,
  name: sla.name,
  windowMs: sla.windowMs,
  successTarget: sla.successTarget,
  delayMs: sla.delayMs,
  delayTarget: sla.delayTarget,
});

export const slaRoutes = routeModule({ tags: ['Herald'] }, (route, { store, audit }) => {
  const live = async (sla: Sla, now = Date.now()) => {
    const { figures, history } = await slaCompliance(store, sla, now);
    return { sla: slaOut(sla, figuresOut(figures)), history: history.map(figuresOut) };
  };
  const find = async (appId: string, id: string) => {
    const sla = await store.slaGet(appId, id);
    if (!sla) throw notFound('SLA', id);
    return sla;
  };

  route.get(
    '/app/:app_id/sla',
    {
      access: 'app',
      summary: "List an application's SLAs",
      description:
        `Herald: every SLA of the application (at most ${MAX_SLAS_PER_APPLICATION}), oldest first, each with its ` +
        "compliance over its window now. `endpoint_id` keeps one endpoint's.",
      params: AppParams,
      querystring: SlaListQuery,
      response: { 200: SlaListOut },
    },
    async (request) => {
      const endpointId = request.query.endpoint_id;
      const endpoint =
        endpointId === undefined ? undefined : await store.endpointGet(request.application.id, endpointId);
      if (endpointId !== undefined && !endpoint) throw notFound('endpoint', endpointId);
      const slas = await store.slaList(request.application.id, endpoint?.id);
      const now = Date.now();
      return { data: await Promise.all(slas.map(async (sla) => (await live(sla, now)).sla)) };
    },
  );

  route.post(
    '/app/:app_id/sla',
    {
      access: 'app',
      summary: 'Create an SLA',
      description:
        'Herald: a promise for the application or one of its endpoints: a success-rate target, a delay target, or ' +
        "both, over a rolling window. Messages count from the SLA's creation on (see docs/sla.md). An " +
        `application has at most ${MAX_SLAS_PER_APPLICATION} SLAs.`,
      params: AppParams,
      body: SlaIn,
      response: { 201: SlaOut },
    },
    async (request, reply) => {
      const app = request.application;
      const settings = await settingsOf(store, app, request.body);
      const sla = await store.slaCreate(
        { id: newId('sla'), appId: app.id, createdAt: Date.now(), ...settings },
        MAX_SLAS_PER_APPLICATION,
      );
      if (sla === null)
        throw unprocessable(
          ['body'],
          `an application has at most ${MAX_SLAS_PER_APPLICATION} SLAs; delete one before creating another`,
        );
      await audit.record(request, {
        action: 'sla.created',
        targetType: 'sla',
        targetId: sla.id,
        appId: app.id,
        after: auditedSettings(settings),
      });
      return reply.code(201).send((await live(sla)).sla);
    },
  );

  route.get(
    '/app/:app_id/sla/:sla_id',
    {
      access: 'app',
      summary: 'Get an SLA',
      description: 'Herald: the SLA with its compliance now and its history over the window.',
      params: SlaParams,
      response: { 200: SlaWithHistoryOut },
    },
    async (request) => {
      const { sla, history } = await live(await find(request.application.id, request.params.sla_id));
      return { ...sla, history };
    },
  );

  route.put(
    '/app/:app_id/sla/:sla_id',
    {
      access: 'app',
      summary: 'Update an SLA',
      description:
        "Herald: replaces the SLA's settings (an omitted target is removed). A breach in progress is judged " +
        'against the new targets at the next evaluation.',
      params: SlaParams,
      body: SlaIn,
      response: { 200: SlaOut },
    },
    async (request) => {
      const app = request.application;
      const before = await find(app.id, request.params.sla_id);
      const settings = await settingsOf(store, app, request.body);
      const after = await store.slaUpdate(app.id, before.id, settings, Date.now());
      if (!after) throw notFound('SLA', before.id);
      await audit.record(request, {
        action: 'sla.updated',
        targetType: 'sla',
        targetId: before.id,
        appId: app.id,
        before: auditedSettings(before),
        after: auditedSettings(settings),
      });
      return (await live(after)).sla;
    },
  );

  route.delete(
    '/app/:app_id/sla/:sla_id',
    {
      access: 'app',
      summary: 'Delete an SLA',
      params: SlaParams,
      response: { 204: Type.Null() },
    },
    async (request, reply) => {
      const app = request.application;
      const sla = await find(app.id, request.params.sla_id);
      if (!(await store.slaDelete(app.id, sla.id))) throw notFound('SLA', sla.id);
      await audit.record(request, {
        action: 'sla.deleted',
        targetType: 'sla',
        targetId: sla.id,
        appId: app.id,
        before: auditedSettings(sla),
      });
      return reply.code(204).send(null);
    },
  );

  route.get(
    '/sla/at-risk',
    {
      access: 'admin',
      summary: 'List the SLAs at risk',
      description:
        'Herald: SLAs of every application that were breached or at risk (less than 25 % of an error budget ' +
        `left) at their last evaluation, the least budget left first, at most ${AT_RISK_SHOWN}. Compliance here ` +
        "is that evaluation's (the evaluator runs every HERALD_SLA_EVALUATE_MS).",
      response: { 200: SlaAtRiskOut },
    },
    async () => {
      const slas = await store.slaListAtRisk(AT_RISK_SHOWN);
      return {
        data: slas.flatMap((sla) =>
          sla.evaluation === null || sla.evaluatedAt === null
            ? []
            : [{ ...slaOut(sla, sla.evaluation as SlaFiguresOut), evaluatedAt: toIso(sla.evaluatedAt) }],
        ),
      };
    },
  );
});
