/**
 * The @classytic family's public shapes, declared here as their sources document them, so the
 * package is checked against them without depending on packages these machines cannot
 * install. Types only; each block names the upstream file it was read from.
 */
import type { Connection } from 'mongoose';

// ── @classytic/primitives src/events/events.ts (mirrors @classytic/arc src/events/EventTransport.ts) ──
export interface EventMeta {
  id: string;
  timestamp: Date;
  schemaVersion?: number;
  correlationId?: string;
  causationId?: string;
  partitionKey?: string;
  resource?: string;
  resourceId?: string;
  userId?: string;
  organizationId?: string;
  source?: string;
  idempotencyKey?: string;
  aggregate?: { type: string; id: string };
}
export interface DomainEvent<T = unknown> {
  type: string;
  payload: T;
  meta: EventMeta;
}
export type EventHandler<T = unknown> = (event: DomainEvent<T>) => void | Promise<void>;
export type PublishManyResult = ReadonlyMap<string, Error | null>;
export interface DeadLetteredEvent<T = unknown> {
  event: DomainEvent<T>;
  error: { message: string; code?: string; stack?: string };
  attempts: number;
  firstFailedAt: Date;
  lastFailedAt: Date;
  handlerName?: string;
}
export interface EventTransport {
  readonly name: string;
  publish(event: DomainEvent): Promise<void>;
  publishMany?(events: readonly DomainEvent[]): Promise<PublishManyResult>;
  subscribe?(pattern: string, handler: EventHandler): Promise<() => void>;
  deadLetter?(dlq: DeadLetteredEvent): Promise<void>;
  close?(): Promise<void>;
}

// ── @classytic/primitives src/events/event-infra.ts: InProcessEventBus (= arc's MemoryEventTransport) ──
export interface InProcessEventBusShape extends EventTransport {
  readonly name: string;
  publish(event: DomainEvent): Promise<void>;
  publishMany(events: readonly DomainEvent[]): Promise<PublishManyResult>;
  subscribe(pattern: string, handler: EventHandler): Promise<() => void>;
  close(): Promise<void>;
}

// ── @classytic/primitives src/outbox.ts + src/events/outbox.ts; `transactionalSave` as read by
//    @classytic/revenue src/engine/define-revenue.ts and @classytic/mongokit src/kernel-conformance/types.ts ──
export interface OutboxWriteOptions {
  readonly session?: unknown;
  readonly visibleAt?: Date;
  readonly dedupeKey?: string;
  readonly partitionKey?: string;
  readonly headers?: Readonly<Record<string, string>>;
}
export interface OutboxStore {
  readonly transactionalSave?: boolean;
  save(event: DomainEvent, options?: OutboxWriteOptions): Promise<void>;
  getPending(limit: number): Promise<DomainEvent[]>;
  claimPending?(options?: {
    readonly limit?: number;
    readonly consumerId?: string;
    readonly leaseMs?: number;
    readonly types?: readonly string[];
  }): Promise<DomainEvent[]>;
  acknowledge(eventId: string, options?: { readonly consumerId?: string }): Promise<void>;
  fail?(
    eventId: string,
    error: { readonly message: string; readonly code?: string },
    options?: { readonly consumerId?: string; readonly retryAt?: Date; readonly deadLetter?: boolean },
  ): Promise<void>;
  getDeadLettered?(limit: number): Promise<DeadLetteredEvent[]>;
  purge?(olderThanMs: number): Promise<number>;
}
/** MemoryOutboxStore's public surface (src/events/event-infra.ts). */
export interface MemoryOutboxStoreShape extends OutboxStore {
  save(event: DomainEvent, options?: OutboxWriteOptions): Promise<void>;
  getPending(limit: number): Promise<DomainEvent[]>;
  acknowledge(eventId: string, options?: { readonly consumerId?: string }): Promise<void>;
  purge(olderThanMs: number): Promise<number>;
  all(): ReadonlyArray<DomainEvent>;
  clear(): void;
}

// ── @classytic/arc src/events/defineEvent.ts ──
export interface EventSchema {
  type: 'object';
  properties?: Record<string, { type?: string; [key: string]: unknown }>;
  required?: string[];
  [key: string]: unknown;
}
export interface EventDefinitionOutput<T = unknown> {
  readonly name: string;
  readonly schema?: EventSchema;
  readonly version: number;
  readonly description?: string;
  create(payload: T, meta?: Partial<DomainEvent['meta']>): DomainEvent<T>;
}
export interface EventRegistry {
  register(definition: EventDefinitionOutput): void;
  get(name: string, version?: number): EventDefinitionOutput | undefined;
}

// ── @classytic/primitives src/reference.ts and src/composition/context.ts ──
export interface ObjectIdLike {
  toString(): string;
  toHexString?(): string;
}
export type IdLike = string | ObjectIdLike;
export interface OperationContext {
  actorId?: IdLike;
  organizationId?: IdLike;
  traceId?: string;
  correlationId?: string;
  requestId?: string;
  idempotencyKey?: string;
  session?: unknown;
  mode?: 'soft' | 'hard';
  metadata?: Readonly<Record<string, unknown>>;
}

// ── @classytic/repo-core src/tenant/types.ts ──
export interface TenantConfig {
  strategy?: 'field' | 'none' | 'custom' | undefined;
  enabled?: boolean | undefined;
  tenantField?: string | undefined;
  fieldType?: 'objectId' | 'string' | undefined;
  ref?: string | undefined;
  contextKey?: string | undefined;
  required?: boolean | undefined;
  resolve?: (ctx: Record<string, unknown>) => Record<string, unknown> | undefined;
}

// ── @classytic/repo-core src/errors/types.ts ──
export interface HttpError extends Error {
  status: number;
  code?: string;
  meta?: Record<string, unknown>;
  validationErrors?: { validator: string; error: string; path?: string; meta?: Record<string, unknown> }[];
  duplicate?: { fields: string[]; values?: Record<string, unknown> };
}

// ── @classytic/primitives src/workflow/approval.ts (revision 2462f51) ──
export type ApprovalStatus = 'pending' | 'approved' | 'rejected' | 'skipped';
export interface Approver {
  readonly id: string;
  readonly name?: string;
  readonly role?: string;
}
export interface ApprovalDecision {
  readonly approverId: string;
  readonly decision: 'approved' | 'rejected';
  readonly note?: string;
  readonly decidedAt: Date;
}
export interface ApprovalThreshold {
  readonly field: string;
  readonly op: 'gt' | 'gte' | 'lt' | 'lte' | 'eq';
  readonly value: number;
}
export interface ApprovalStep {
  readonly id: string;
  readonly name?: string;
  readonly approvers: readonly Approver[];
  readonly requiredApprovals: number;
  readonly threshold?: ApprovalThreshold;
  readonly status: ApprovalStatus;
  readonly decisions: readonly ApprovalDecision[];
  readonly skippedReason?: string;
}
export interface ApprovalChain {
  readonly order: 'sequential' | 'parallel';
  readonly steps: readonly ApprovalStep[];
  readonly status: ApprovalStatus;
  readonly notRequiredReason?: string;
}
export interface CreateChainInput {
  readonly order: 'sequential' | 'parallel';
  readonly steps: readonly {
    readonly id: string;
    readonly name?: string;
    readonly approvers: readonly Approver[];
    readonly requiredApprovals?: number;
    readonly threshold?: ApprovalThreshold;
  }[];
}
export interface DecisionInput {
  readonly stepId: string;
  readonly approverId: string;
  readonly decision: 'approved' | 'rejected';
  readonly note?: string;
  readonly decidedAt?: Date;
}
export type ApprovalErrorCode =
  | 'EMPTY_STEPS'
  | 'DUPLICATE_STEP_ID'
  | 'EMPTY_APPROVERS'
  | 'DUPLICATE_APPROVER_ID'
  | 'INVALID_QUORUM'
  | 'UNKNOWN_STEP'
  | 'UNAUTHORIZED_APPROVER'
  | 'STEP_NOT_ACTIVE'
  | 'STEP_ALREADY_DECIDED_BY_APPROVER'
  | 'CHAIN_INCOMPLETE'
  | 'CHAIN_MISSING';
export interface ApprovalHelpers {
  createChain(input: CreateChainInput): ApprovalChain;
  applyDecision(chain: ApprovalChain, input: DecisionInput): ApprovalChain;
  skipStep(chain: ApprovalChain, stepId: string, reason?: string): ApprovalChain;
  pendingSteps(chain: ApprovalChain): readonly ApprovalStep[];
  nextPendingStep(chain: ApprovalChain): ApprovalStep | null;
  notRequiredChain(reason: string): ApprovalChain;
  isApproved(chain: ApprovalChain): boolean;
  isNotRequired(chain: ApprovalChain): boolean;
  isRejected(chain: ApprovalChain): boolean;
  isPending(chain: ApprovalChain): boolean;
  decisionCount(chain: ApprovalChain): number;
  assertApproved(chain: ApprovalChain | null | undefined, options?: { readonly message?: string }): void;
  assertApprovedIfPresent(chain: ApprovalChain | null | undefined, options?: { readonly message?: string }): void;
}

// ── @classytic/mongokit src/kernel-conformance/types.ts ──
export interface KernelBlueprintLike {
  readonly id?: string;
  readonly modelNames: readonly string[];
}
export interface EventTransportLike {
  readonly name?: string;
  publish(event: { readonly type: string; readonly payload?: unknown; readonly meta?: Record<string, unknown> }): Promise<void> | void;
  close?(): Promise<void> | void;
}
export type BindLike<TBlueprint, TEngine> = (
  blueprint: TBlueprint,
  connection: Connection,
  ctx: { readonly transport?: EventTransportLike },
) => TEngine | Promise<TEngine>;
