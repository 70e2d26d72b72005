/** Port of Svix's e2e_event_type.rs: event type PATCH, create/read/list, feature flags, listing, schemas. */
import { expect, it } from 'vitest';
import { appPortalAccess, commonTestList, describeSvix, eventTypeIn, unique } from './support.js';

const SCHEMA = {
  '1': {
    type: 'object',
    title: 'Longitude and Latitude Values',
    description: 'A geographical coordinate.',
    required: ['latitude', 'longitude'],
    properties: {
      latitude: { type: 'number', minimum: -90, maximum: 90 },
      longitude: { type: 'number', minimum: -180, maximum: 180 },
    },
  },
};

describeSvix('e2e_event_type', (h) => {
  it('test_patch', async () => {
    const { client } = h.server();
    const name = unique('test-event-type');
    const et = await client.post('api/v1/event-type/', eventTypeIn(name, SCHEMA), 201);
    // PUT with a name that does not exist creates the event type.
    await client.put(`api/v1/event-type/${unique('fake-id')}/`, eventTypeIn(name), 201);
    const path = `api/v1/event-type/${et.name}/`;

    await client.patch(path, { description: 'updated_description' });
    let out = await client.get(path);
    expect(out.description).toBe('updated_description');
    expect(out.archived).toBe(et.archived);
    expect(out.schemas).toEqual(et.schemas);

    await client.patch(path, { schemas: {} });
    out = await client.get(path);
    expect(out.schemas).toEqual({});
    expect(out.archived).toBe(et.archived);
    expect(out.description).toBe('updated_description');

    await client.patch(path, { schemas: null });
    out = await client.get(path);
    expect(out.schemas ?? null).toBeNull();
    expect(out.description).toBe('updated_description');

    await client.patch(path, { archived: true });
    out = await client.get(path);
    expect(out.archived).toBe(true);
    expect(out.schemas ?? null).toBeNull();
    expect(out.description).toBe('updated_description');
  });

  it('test_event_type_create_read_list', async () => {
    // The catalogue is server-wide, so this test has a server of its own.
    const { client } = await h.start();
    const et = await client.post('api/v1/event-type/', eventTypeIn('test-event-type', SCHEMA), 201);
    expect(await client.get(`api/v1/event-type/${et.name}/`)).toEqual(et);
    let list = await client.get('api/v1/event-type/?with_content=true');
    expect(list.data).toEqual([et]);
    list = await client.get('api/v1/event-type/');
    expect(list.data).toHaveLength(1);
    expect(list.data[0].schemas ?? null).toBeNull();
    expect({ ...list.data[0], schemas: null }).toEqual({ ...et, schemas: null });
  });

  it('test_event_type_feature_flags', async () => {
    const { client } = await h.start();
    const et = await client.post(
      'api/v1/event-type/',
      { name: 'event-type-with-flag', description: 'test-event-description', featureFlag: 'foo-feature' },
      201,
    );
    await client.post(
      'api/v1/event-type/',
      { name: 'no-flag-event', description: 'test-event-description' },
      201,
    );
    const app = (await client.post('api/v1/app/', { name: 'TEST_APP_NAME' }, 201)).id;
    const path = `api/v1/event-type/${et.name}/`;
    for (const [flags, shouldSee] of [
      [[], false],
      [['bar-feature'], false],
      [['foo-feature', 'bar-feature'], true],
      [['foo-feature'], true],
    ] as const) {
      const appClient = await appPortalAccess(client, app, [...flags]);
      const list = await appClient.get('api/v1/event-type/');
      if (shouldSee) {
        expect(await appClient.get(path)).toEqual(et);
        expect(list.data).toHaveLength(2);
        expect(list.data).toContainEqual(et);
      } else {
        await appClient.get(path, 404);
        expect(list.data).toHaveLength(1);
      }
    }
  });

  it('test_list', async () => {
    const { client } = await h.start();
    await commonTestList(
      client,
      'api/v1/event-type/',
      (i) => eventTypeIn(`test-event-type-${i}`),
      true,
      false,
    );
  });

  it('test_schema', async () => {
    const { client } = h.server();
    await client.post(
      'api/v1/event-type/',
      { name: unique('bad-schema'), description: 'I have a bad schema', schemas: { '1': { readOnly: 15 } } },
      422,
    );
  });
});
