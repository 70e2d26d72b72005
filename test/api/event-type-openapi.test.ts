/** `event-type/import/openapi` through the official svix SDK, on SQLite and PostgreSQL. */
import { Svix } from 'svix';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { HERALD_STORES, startTestHerald, type RunningHerald } from '../helpers/herald.js';
import { apiError } from '../helpers/sdk.js';

const PET_SPEC = {
  openapi: '3.1.0',
  info: { title: 'Webhook Example', version: '1.0.0' },
  webhooks: {
    'pet.new': {
      post: {
        description: 'A new pet in the system',
        requestBody: {
          content: {
            'application/json': {
              schema: { $ref: '#/components/schemas/Pet' },
              example: { id: 1, name: 'Rex' },
            },
          },
        },
        responses: { '200': { description: 'ok' } },
      },
    },
    'pet.gone': { post: { summary: 'A pet left', deprecated: true, responses: {} } },
  },
  components: {
    schemas: {
      Pet: {
        type: 'object',
        required: ['id', 'name'],
        properties: {
          id: { type: 'integer', format: 'int64' },
          name: { type: 'string' },
          tag: { $ref: '#/components/schemas/Tag' },
        },
      },
      Tag: { type: 'string' },
    },
  },
};

const RAW_SPEC = `
openapi: 3.1.0
info: { title: Raw, version: 1.0.0 }
webhooks:
  invoice.paid:
    post:
      description: An invoice was paid
      requestBody:
        content:
          application/json:
            schema:
              type: object
              properties:
                amount: { type: integer }
`;

for (const store of HERALD_STORES)
  describe.skipIf(store.skip)(`event-type import from OpenAPI on ${store.dialect}`, () => {
    let h: RunningHerald;
    let svix: Svix;
    beforeAll(async () => {
      h = await startTestHerald({}, { postgres: store.postgres });
      svix = new Svix(h.token, { serverUrl: h.url });
    });
    afterAll(async () => {
      await h?.close();
    });

    it('answers what would change on a dry run, and changes nothing', async () => {
      const answer = await svix.eventType.importOpenapi({ spec: PET_SPEC, dryRun: true });
      expect(answer.data.modified).toEqual([]);
      expect(answer.data.toModify?.map((eventType) => eventType.name)).toEqual(['pet.new', 'pet.gone']);
      expect((await svix.eventType.list()).data).toHaveLength(0);
    });

    it('creates event types with their schemas, refs resolved and examples kept', async () => {
      const answer = await svix.eventType.importOpenapi({ spec: PET_SPEC });
      expect(answer.data.modified).toEqual(['pet.new', 'pet.gone']);
      const created = await svix.eventType.get('pet.new');
      expect(created.description).toBe('A new pet in the system');
      expect(created.schemas).toEqual({
        '1': {
          type: 'object',
          required: ['id', 'name'],
          properties: {
            id: { type: 'integer', format: 'int64' },
            name: { type: 'string' },
            tag: { type: 'string' },
          },
          examples: [{ id: 1, name: 'Rex' }],
        },
      });
      const gone = await svix.eventType.get('pet.gone');
      expect(gone).toMatchObject({ description: 'A pet left', deprecated: true });
      // A message is checked against the imported schema.
      await svix.application.create({ name: 'Pets', uid: 'pets' });
      const refused = await apiError(() =>
        svix.message.create('pets', { eventType: 'pet.new', payload: { id: 'not a number', name: 'Rex' } }),
      );
      expect(refused.code).toBeGreaterThanOrEqual(400);
    });

    it('reads YAML, unarchives what it updates, and archives the rest with replaceAll', async () => {
      await svix.eventType.delete('pet.new');
      expect((await svix.eventType.get('pet.new')).archived).toBe(true);
      await svix.eventType.importOpenapi({ spec: PET_SPEC });
      expect((await svix.eventType.get('pet.new')).archived).toBe(false);

      const answer = await svix.eventType.importOpenapi({ specRaw: RAW_SPEC, replaceAll: true });
      expect(answer.data.modified).toEqual(['invoice.paid']);
      expect((await svix.eventType.get('invoice.paid')).schemas?.['1']).toMatchObject({ type: 'object' });
      expect((await svix.eventType.get('pet.new')).archived).toBe(true);
      expect((await svix.eventType.list()).data.map((eventType) => eventType.name)).toEqual(['invoice.paid']);
    });

    it('answers 400 for neither or both of spec and specRaw', async () => {
      expect((await apiError(() => svix.eventType.importOpenapi({}))).code).toBe(400);
      expect(
        (await apiError(() => svix.eventType.importOpenapi({ spec: PET_SPEC, specRaw: RAW_SPEC }))).code,
      ).toBe(400);
    });

    it('answers 422 naming the place of a broken document', async () => {
      const cases: Array<[object, string]> = [
        [{ specRaw: 'webhooks: [unclosed' }, 'specRaw'],
        [{ spec: { openapi: '3.1.0' } }, 'spec.webhooks'],
        [{ spec: { webhooks: { 'bad name!': { post: {} } } } }, 'spec.webhooks.bad name!'],
        [
          {
            spec: {
              webhooks: {
                'a.b': {
                  post: {
                    requestBody: {
                      content: { 'application/json': { schema: { $ref: '#/components/schemas/Nope' } } },
                    },
                  },
                },
              },
            },
          },
          'spec.webhooks.a.b.post.requestBody.content.application/json.schema.$ref',
        ],
        [
          {
            spec: {
              webhooks: {
                'a.c': {
                  post: {
                    requestBody: { content: { 'application/json': { schema: { type: 'no such type' } } } },
                  },
                },
              },
            },
          },
          'a.c',
        ],
      ];
      for (const [body, place] of cases) {
        const answer = await h.call('POST', '/event-type/import/openapi', body);
        expect(answer.status, JSON.stringify(answer.body)).toBe(422);
        expect(JSON.stringify(answer.body)).toContain(place);
      }
    });
  });
