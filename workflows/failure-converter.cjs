'use strict';
// Every failure's message and stack trace moved into its encoded attributes, a payload that the payload codec
// (platform/payload-codec.ts) encrypts: Temporal stores "Encoded failure" in their place. Loaded by path
// (FAILURE_CONVERTER_PATH) by the worker, the clients and the workflow bundle, hence CommonJS and no TypeScript.
// eslint-disable-next-line @typescript-eslint/no-require-imports -- CommonJS on purpose (see above)
const { DefaultFailureConverter } = require('@temporalio/common');

exports.failureConverter = new DefaultFailureConverter({ encodeCommonAttributes: true });
