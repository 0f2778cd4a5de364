import fastifyCors from '@fastify/cors';
import type { Payload, PayloadCodec } from '@temporalio/common';
import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { ERASURE_RECORD_KEY, isSealedText } from '../../domain/personal-fields';
import { keyRefOf } from '../../platform/personal-data';
import { accessRoute, type AccessRecorder } from '../access-recorder';
import { requireRole } from '../auth';
import type { SsoTokens } from '../sso-tokens';
import { ApiError, errorResponses } from '../errors';

// The codec server (Temporal's remote codec protocol): POST /codec/decode and /codec/encode take
// `{ payloads: [{ metadata: { key: base64 }, data: base64 }] }` and answer the same shape, decoded or encoded by the
// product's payload codec (platform/payload-codec.ts). The Temporal Web UI (its codec endpoint set to <api>/codec)
// and `temporal workflow show --codec-endpoint <api>/codec --codec-auth "Bearer <token>"` read decrypted histories
// through it. Auditors and managers only; a browser may call it only from the configured Temporal UI origin (CORS).

export interface CodecRoutesOptions {
  /** The product's codec; none when PAYLOAD_ENCRYPTION=off (payloads then pass through unchanged). */
  codec: PayloadCodec | undefined;
  /** The one origin whose pages may call the codec server (TEMPORAL_UI_ORIGIN, else the dev server's UI). */
  uiOrigin: string;
  /**
   * The council's single sign-on (OIDC_CODEC_AUDIENCE, api/sso-tokens.ts): the Temporal UI signed in with it passes the
   * person's token, which these routes take beside the API's own (api/auth.ts authenticate, config `ssoBearer`).
   */
  sso?: SsoTokens;
  /**
   * Opens the sealed personal fields inside decoded JSON payloads (ComplaintService.opened: each complaint's own data
   * key), so an auditor reads them in the Web UI; an erased complaint's read "[erased]". Absent: left sealed.
   */
  personal?: { opened<T>(value: T): Promise<T> };
  /**
   * The access log (api/access-recorder.ts): a decode that opens complaints' sealed fields is a read of their personal
   * data, recorded once per complaint per request (who = the token's subject, route `POST /codec/decode`).
   */
  access?: Pick<AccessRecorder, 'record'>;
}

const JSON_PLAIN = 'json/plain';

/** A decoded JSON payload with its sealed fields opened (any other payload as it is); `openedRefs` gets their complaints. */
async function withPersonalOpened(
  payload: Payload,
  personal: NonNullable<CodecRoutesOptions['personal']>,
  openedRefs: Set<string>,
): Promise<Payload> {
  const encoding = payload.metadata?.encoding;
  if (!encoding || Buffer.from(encoding).toString('utf8') !== JSON_PLAIN || !payload.data) return payload;
  const text = Buffer.from(payload.data).toString('utf8');
  if (!text.includes('"pd1:')) return payload;
  const value = JSON.parse(text) as unknown;
  // An erasure's reason (ERASURE_RECORD_KEY) is no complaint's personal data: no read to log for it.
  for (const sealed of sealedStringsIn(value))
    if (keyRefOf(sealed) !== ERASURE_RECORD_KEY) openedRefs.add(keyRefOf(sealed));
  const opened = await personal.opened(value);
  return { ...payload, data: Buffer.from(JSON.stringify(opened), 'utf8') };
}

function* sealedStringsIn(value: unknown): Generator<string> {
  if (isSealedText(value)) yield value;
  else if (value && typeof value === 'object') for (const item of Object.values(value)) yield* sealedStringsIn(item);
}

const base64 = z
  .string()
  .max(8 * 1024 * 1024)
  .regex(/^[A-Za-z0-9+/]*={0,2}$/, 'must be base64');

const PayloadJsonSchema = z
  .object({
    metadata: z.record(z.string().max(200), base64).optional(),
    data: base64.optional(),
  })
  .describe('A Temporal Payload in protobuf JSON: metadata values and data in base64');

const PayloadsSchema = z.object({ payloads: z.array(PayloadJsonSchema).max(10_000) });
type PayloadJson = z.infer<typeof PayloadJsonSchema>;

const fromJson = (payload: PayloadJson): Payload => ({
  metadata: Object.fromEntries(Object.entries(payload.metadata ?? {}).map(([k, v]) => [k, Buffer.from(v, 'base64')])),
  data: Buffer.from(payload.data ?? '', 'base64'),
});

const toJson = (payload: Payload): PayloadJson => ({
  metadata: Object.fromEntries(
    Object.entries(payload.metadata ?? {}).map(([k, v]) => [k, Buffer.from(v ?? []).toString('base64')]),
  ),
  data: Buffer.from(payload.data ?? []).toString('base64'),
});

export const CODEC_ROLES = ['auditor', 'manager'] as const;

export const codecRoutes: FastifyPluginAsyncZod<CodecRoutesOptions> = async (
  app,
  { codec, uiOrigin, personal, access },
) => {
  // Scoped to this plugin, registered under /codec (api/app.ts): only the codec routes answer CORS (their preflight
  // route is OPTIONS /codec/*), and only to the Temporal UI's origin.
  await app.register(fastifyCors, {
    origin: [uiOrigin],
    methods: ['POST'],
    allowedHeaders: ['authorization', 'content-type', 'x-namespace'],
    credentials: true,
    maxAge: 600,
  });
  for (const direction of ['decode', 'encode'] as const) {
    app.post(
      `/${direction}`,
      {
        config: { ssoBearer: true },
        onRequest: requireRole(...CODEC_ROLES),
        schema: {
          tags: ['audit'],
          summary: direction === 'decode' ? 'Decrypt payloads (codec server)' : 'Encrypt payloads (codec server)',
          description:
            `Temporal's remote codec protocol, for the Temporal Web UI and \`temporal --codec-endpoint\`: the payloads ` +
            `${direction}d by the product's payload codec. A payload under a key the key ring does not hold is a 422. ` +
            "Roles: auditor, manager: an API token, or the council's single sign-on token the Temporal UI passes " +
            '(TEMPORAL_CODEC_PASS_ACCESS_TOKEN), when OIDC_CODEC_AUDIENCE is set.',
          security: [{ bearer: [] }],
          body: PayloadsSchema,
          // 503: the access log cannot take the decode's record now (api/access-recorder.ts).
          response: {
            200: PayloadsSchema,
            ...errorResponses(...(direction === 'decode' && access ? [422, 503] : [422])),
          },
        },
      },
      async (request) => {
        const payloads = request.body.payloads.map(fromJson);
        if (!codec) return { payloads: payloads.map(toJson) };
        const openedRefs = new Set<string>();
        let done: Payload[];
        try {
          done = direction === 'decode' ? await codec.decode(payloads) : await codec.encode(payloads);
          if (direction === 'decode' && personal)
            done = await Promise.all(done.map((payload) => withPersonalOpened(payload, personal, openedRefs)));
        } catch (err) {
          throw new ApiError(
            422,
            'payload-not-decodable',
            `A payload cannot be ${direction}d: ${(err as Error).message}`,
          );
        }
        // Before the answer: what could not be logged is not disclosed (a 503 from a full access log).
        if (access && request.caller && openedRefs.size)
          await access.record(request.caller, accessRoute(request), [...openedRefs]);
        return { payloads: done.map(toJson) };
      },
    );
  }
};
