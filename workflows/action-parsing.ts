import type * as Actions from '../domain/actions';
import type * as Digests from '../domain/digests';
import type * as Vocabulary from '../domain/vocabulary';

// The SDK evaluates workflow code's modules afresh for every complaint it loads, and zod with the action schemas
// is most of that: about 1 MiB of memory per cached complaint and a large share of the CPU of starting, waking or
// replaying one (bench/README.md). Only an arriving action needs them, and most complaints, most of the time, are
// idle between deadlines; so they are loaded on the first action a workflow instance sees, with a synchronous
// require that the bundler resolves like an import. So are the digests (a keyed action's input, a letter's id):
// @noble/hashes builds all of SHA-2's tables when it loads. Nothing else in workflows/ may import zod or @noble/hashes at module level:
// tests/workflows/workflow-modules.test.ts checks the workflow modules' import graph (under Node, which the bundle
// follows).

export interface ActionParsing {
  parseCommand: typeof Actions.parseCommand;
  ActorSchema: typeof Vocabulary.ActorSchema;
}

let loaded: ActionParsing | undefined;

export function actionParsing(): ActionParsing {
  if (!loaded) {
    // eslint-disable-next-line @typescript-eslint/no-require-imports -- lazy on purpose: zod loads on the first action (above)
    const { parseCommand } = require('../domain/actions') as typeof Actions;
    // eslint-disable-next-line @typescript-eslint/no-require-imports -- lazy on purpose: zod loads on the first action (above)
    const { ActorSchema } = require('../domain/vocabulary') as typeof Vocabulary;
    loaded = { parseCommand, ActorSchema };
  }
  return loaded;
}

let digestsLoaded: typeof Digests | undefined;

/** The digests (domain/digests.ts), loaded on first use: a keyed action, or a letter queued to post. */
export function digests(): typeof Digests {
  // eslint-disable-next-line @typescript-eslint/no-require-imports -- lazy on purpose: SHA-2 loads on first use (above)
  digestsLoaded ??= require('../domain/digests') as typeof Digests;
  return digestsLoaded;
}
