import { Type } from '@sinclair/typebox';
import { SLA_WINDOWS } from '../../delivery/sla.js';
import { SLA_DELAY_BOUNDS_MS } from '../../store/index.js';
import { AppIdParam, Nullable, TEXT_PATTERN, Timestamp } from './common.js';

/** SLAs an application may have at most: each costs a rollup row per active minute and an evaluation per run. */
export const MAX_SLAS_PER_APPLICATION = 20;
export const DELAY_SECONDS = SLA_DELAY_BOUNDS_MS.map((ms) => ms / 1000);

export const SlaParams = Type.Object({
  app_id: AppIdParam,
  sla_id: Type.String({ minLength: 1, maxLength: 64 }),
});

export const SlaListQuery = Type.Object({
  endpoint_id: Type.Optional(
    Type.String({ minLength: 1, maxLength: 256, description: "Only this endpoint's SLAs (its id or uid)" }),
  ),
});

const Window = Type.Union(
  Object.keys(SLA_WINDOWS).map((name) => Type.Literal(name)),
  { description: 'The rolling window the SLA is judged over: the last hour, day or 30 days' },
);
const Percent = (description: string) =>
  Nullable(Type.Number({ minimum: 1, maximum: 99.999, description, example: 99.9 }));

export const SlaIn = Type.Object({
  name: Type.String({
    minLength: 1,
    maxLength: 256,
    pattern: TEXT_PATTERN,
    example: 'Acme delivery promise',
  }),
  endpointId: Type.Optional(
    Nullable(
      Type.String({
        minLength: 1,
        maxLength: 256,
        description:
          "An endpoint's id or uid: the SLA is about that endpoint only. null: the whole application",
      }),
    ),
  ),
  window: Window,
  successTarget: Type.Optional(
    Percent('Percentage of messages that must be delivered (1 to 99.999); null: no success-rate target'),
  ),
  delayTarget: Type.Optional(
    Percent(
      'Percentage of messages that must be delivered within `delaySeconds` of their creation; null: no delay target',
    ),
  ),
  delaySeconds: Type.Optional(
    Nullable(
      Type.Integer({
        description: `The delay target's threshold, one of ${DELAY_SECONDS.join(', ')} seconds`,
        example: 30,
      }),
    ),
  ),
});

const Objective = Type.Object({
  target: Type.Number({ description: 'The target, in percent' }),
  current: Nullable(
    Type.Number({ description: 'The value over the window, in percent; null with no messages' }),
  ),
  budgetRemaining: Type.Number({
    description: 'Percentage of the error budget left: 100 when none is spent, negative when overspent',
  }),
});

export const SlaFiguresOut = Type.Object({
  windowStart: Timestamp,
  windowEnd: Timestamp,
  messages: Type.Integer({ description: 'Messages created in the window and tried at least once' }),
  delivered: Type.Integer({ description: 'Those of them delivered' }),
  successRate: Nullable(Objective),
  delay: Nullable(Type.Object({ thresholdSeconds: Type.Number(), ...Objective.properties })),
  status: Type.Union([Type.Literal('ok'), Type.Literal('at_risk'), Type.Literal('breached')], {
    description: 'breached: below a target; at_risk: less than 25 % of an error budget left',
  }),
  budgetRemaining: Type.Number({ description: 'The smaller budget left of the two objectives, in percent' }),
});

export const SlaOut = Type.Object({
  id: Type.String({ example: 'sla_01J9Z8Q4X5M7Y2K3N4P5Q6R7S8' }),
  appId: Type.String(),
  endpointId: Nullable(Type.String()),
  name: Type.String(),
  window: Type.String({ example: '1d' }),
  successTarget: Nullable(Type.Number()),
  delayTarget: Nullable(Type.Number()),
  delaySeconds: Nullable(Type.Number()),
  breachedSince: Nullable(Timestamp),
  createdAt: Timestamp,
  updatedAt: Timestamp,
  compliance: SlaFiguresOut,
});

export const SlaWithHistoryOut = Type.Object({
  ...SlaOut.properties,
  history: Type.Array(SlaFiguresOut, {
    description:
      'The window in 60 parts (a minute each for 1h, 24 minutes for 1d, 12 hours for 30d), oldest first',
  }),
});

export const SlaListOut = Type.Object({ data: Type.Array(SlaOut) });

export const SlaAtRiskOut = Type.Object({
  data: Type.Array(
    Type.Object({
      ...SlaOut.properties,
      evaluatedAt: Timestamp,
    }),
    { description: 'compliance here is the last evaluation, at evaluatedAt' },
  ),
});
