import type { mongo } from 'mongoose';
import type { EventedCollection } from '../store/evented-write.js';
import type { OpenScope } from '../store/scope.js';
import type { CodeCache } from './cache.js';
import type { ReferralCodeRecord } from './model.js';

export type CodeCollection = mongo.Collection<ReferralCodeRecord>;

export interface CodeConfig {
  generate: () => string;
  maxAttempts: number;
  cache: CodeCache | undefined;
  deactivationFence: boolean;
  reservedWords: ReadonlySet<string>;
}

/** What the code verbs need from the engine. */
export interface CodeDeps {
  open: OpenScope;
  /** The codes collection with the engine's publisher: every emitting write goes through it. */
  codes: EventedCollection<ReferralCodeRecord>;
  config: CodeConfig;
}

/** The driver collection: inputs are validated, reads stay lean (no hydration). */
export const codeCollection = (deps: Pick<CodeDeps, 'codes'>): CodeCollection => deps.codes.collection;
