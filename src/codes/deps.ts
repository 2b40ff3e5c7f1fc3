import type { mongo, Types } from 'mongoose';
import type { WriteExecutor } from '../store/executor.js';
import type { CallScope, OpenScope } from '../store/scope.js';
import type { ReferralCodeRecord } from './model.js';
import type { CodeCache } from './resolver.js';

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
  /** Every write that changes a record goes through it (scope, retries, events). */
  writes: WriteExecutor;
  /** The driver collection: inputs are validated, reads stay lean (no hydration). */
  codes: mongo.Collection<ReferralCodeRecord>;
  config: CodeConfig;
  /** After a code was retired (deactivated, deleted, erased): its sales still being decided are voided (wired by the engine). */
  afterRetire: (scope: CallScope, codeId: Types.ObjectId) => Promise<void>;
}
