// The API serialises every complaint it answers with through domain/complaint-state.ts's ComplaintStateSchema, and a
// response schema writes only the keys it names, in its own order. These checks keep that serialisation lossless and
// in the order the API has always written, on the workflow's real query answers recorded with tests/histories.
import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { serializerCompiler } from 'fastify-type-provider-zod';
import { describe, expect, it } from 'vitest';
import { buildApp } from '../../api/app';
import { TokenStore } from '../../api/auth';
import type { ComplaintService } from '../../api/complaint-service';
import { ComplaintStateSchema } from '../../api/schemas';
import { ComplaintEventSchema } from '../../domain/complaint-state';
import { repoRoot } from '../../platform/repo-root';

type Json = Record<string, unknown>;

const serialize = serializerCompiler({ schema: ComplaintStateSchema, method: 'GET', url: '/complaints/:ref' }) as (
  data: unknown,
) => string;

/** Every recorded `complaintState` answer: today's histories and the archived ones. */
function recordedStates(): Array<[string, Json]> {
  const states: Array<[string, Json]> = [];
  for (const set of ['tests/histories', 'tests/histories/archive']) {
    const dir = path.join(repoRoot(), set, 'meta', 'query-answers');
    for (const file of readdirSync(dir).filter((name) => name.endsWith('.json'))) {
      const answer = JSON.parse(readFileSync(path.join(dir, file), 'utf8')) as Json | Json[];
      (Array.isArray(answer) ? answer : [answer]).forEach((state, run) =>
        states.push([`${set}/${file}#${run}`, state]),
      );
    }
  }
  return states;
}

/** The order the API writes: a recorded entry's seq, type, at and actor first, then its event's own fields. */
function inApiOrder(state: Json): Json {
  const timeline = (state.timeline as Json[]).map(({ seq, type, at, actor, ...fields }) => ({
    seq,
    type,
    at,
    actor,
    ...fields,
  }));
  return { ...state, timeline };
}

const states = recordedStates();

describe('the complaint state schema', () => {
  it('has recorded states with every kind of event to check against', () => {
    const recorded = new Set(states.flatMap(([, state]) => (state.timeline as Json[]).map((entry) => entry.type)));
    const kinds = ComplaintEventSchema.options.map((option) => option.shape.type.value);
    expect([...recorded].sort()).toEqual([...kinds].sort());
  });

  it.each(states)('serialises %s without losing or reordering a field', (_name, state) => {
    const text = serialize(state);
    expect(JSON.parse(text)).toStrictEqual(state);
    expect(text).toBe(JSON.stringify(inApiOrder(state)));
  });

  it('keeps what only some complaints carry: a representative, an address', () => {
    const [, recorded] = states.find(([name]) => name.includes('dundee-withdrawn'))!;
    const details = recorded.details as Json;
    const state = {
      ...recorded,
      // In the order intake builds details (api/complaint-service.ts), the representative after the complainant.
      details: {
        complainant: { ...(details.complainant as Json), phone: '01382 000000', address: '1 High Street, Dundee' },
        representative: {
          name: 'Alex Advocate',
          relationship: 'advocacy worker',
          email: 'alex@example.org',
          phone: '01382 111111',
          consentGiven: true,
        },
        serviceArea: details.serviceArea,
        category: details.category,
        channel: details.channel,
        summary: details.summary,
        serious: details.serious,
      },
    };
    expect(serialize(state)).toBe(JSON.stringify(inApiOrder(state)));
  });

  it('refuses a state that is not one (a response never goes out half-described)', () => {
    const [, recorded] = states[0]!;
    expect(() => serialize({ ...recorded, status: 'lost' })).toThrow();
    expect(() => serialize({ ...recorded, timeline: [{ type: 'no-such-event' }] })).toThrow();
  });

  it('documents the answers in the OpenAPI document: every field of the state, every kind of entry', async () => {
    // /docs/json needs neither Temporal nor a token: the service is never called.
    const app = await buildApp({ complaints: {} as ComplaintService, tokens: new TokenStore([]) });
    const spec = (await app.inject({ method: 'GET', url: '/docs/json' })).json();
    await app.close();
    const answer = spec.paths['/complaints/{ref}'].get.responses['200'].content['application/json'].schema;
    expect(answer).toEqual({ $ref: '#/components/schemas/ComplaintState' });
    const state = spec.components.schemas.ComplaintState;
    expect(Object.keys(state.properties)).toEqual(Object.keys(ComplaintStateSchema.shape));
    expect(state.description).toMatch(/complaint/i);
    const entries = spec.components.schemas.TimelineEntry.oneOf as Array<{ properties: { type: { enum: string[] } } }>;
    expect(entries.map((entry) => entry.properties.type.enum[0]).sort()).toEqual(
      ComplaintEventSchema.options.map((option) => option.shape.type.value).sort(),
    );
  });
});
