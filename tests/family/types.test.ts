import { describe, expectTypeOf, it } from 'vitest';
import * as approval from '../../src/approval/index.js';
import {
  type ApprovalChain,
  type CreateChainInput,
  type CreateReferralOptions,
  type DomainEvent,
  type DuplicateError,
  defineReferral,
  type EventMeta,
  type EventTransport,
  type InProcessBus,
  type OutboxStore,
  type ReferralBlueprint,
  type ReferralContext,
  ReferralConverted,
  type ReferralEngine,
  type ReferralError,
  referralEventDefinitions,
  type TenantConfig,
  type ValidationError,
} from '../../src/index.js';
import type * as up from './upstream.js';

/**
 * Assignability in both directions between this package's shapes and the family's, as their
 * sources declare them (tests/family/upstream.ts). `tsc --noEmit` (npm run typecheck) is what
 * checks these: a drift fails the build. The `it` blocks only make the file a visible test.
 */
describe('family types (checked by tsc)', () => {
  it('events and transports are interchangeable', () => {
    expectTypeOf<up.EventTransport>().toExtend<EventTransport>();
    expectTypeOf<EventTransport>().toExtend<up.EventTransport>();
    expectTypeOf<up.DomainEvent>().toExtend<DomainEvent>();
    expectTypeOf<DomainEvent>().toExtend<up.DomainEvent>();
    expectTypeOf<up.EventMeta>().toExtend<EventMeta>();
    expectTypeOf<EventMeta>().toExtend<up.EventMeta>();
    expectTypeOf<up.InProcessEventBusShape>().toExtend<NonNullable<NonNullable<CreateReferralOptions['events']>['transport']>>();
    expectTypeOf<InProcessBus>().toExtend<up.EventTransport>();
  });

  it('outbox stores are interchangeable', () => {
    expectTypeOf<up.MemoryOutboxStoreShape>().toExtend<OutboxStore>();
    expectTypeOf<up.OutboxStore>().toExtend<OutboxStore>();
    expectTypeOf<OutboxStore>().toExtend<up.OutboxStore>();
  });

  it('every event definition registers with arc without a cast', () => {
    expectTypeOf(referralEventDefinitions[0]!).toExtend<up.EventDefinitionOutput>();
    expectTypeOf(ReferralConverted).toExtend<up.EventDefinitionOutput>();
    expectTypeOf(referralEventDefinitions).toExtend<Iterable<up.EventDefinitionOutput>>();
    expectTypeOf(ReferralConverted.create).returns.toExtend<up.DomainEvent>();
  });

  it('the context is primitives\u2019 OperationContext', () => {
    expectTypeOf<up.OperationContext>().toExtend<ReferralContext>();
    expectTypeOf<ReferralContext>().toExtend<up.OperationContext>();
  });

  it('the tenant config is repo-core\u2019s TenantConfig', () => {
    expectTypeOf<up.TenantConfig>().toExtend<TenantConfig>();
    expectTypeOf<TenantConfig>().toExtend<up.TenantConfig>();
    expectTypeOf<up.TenantConfig>().toExtend<NonNullable<CreateReferralOptions['tenant']>>();
  });

  it('errors are repo-core HttpErrors', () => {
    expectTypeOf<ReferralError>().toExtend<up.HttpError>();
    expectTypeOf<ValidationError>().toExtend<up.HttpError>();
    expectTypeOf<DuplicateError>().toExtend<up.HttpError>();
  });

  it('approval chains, inputs and helpers are primitives\u2019', () => {
    expectTypeOf<ApprovalChain>().toExtend<up.ApprovalChain>();
    expectTypeOf<up.ApprovalChain>().toExtend<ApprovalChain>();
    expectTypeOf<up.CreateChainInput>().toExtend<CreateChainInput>();
    expectTypeOf(approval).toExtend<up.ApprovalHelpers>();
    expectTypeOf<approval.ApprovalChainLike>().toExtend<unknown>();
    expectTypeOf<up.ApprovalErrorCode>().toExtend<ReferralError['code']>();
  });

  it('defineReferral is a kernel blueprint', () => {
    expectTypeOf(defineReferral()).toExtend<up.KernelBlueprintLike>();
    const bind: up.BindLike<ReferralBlueprint, ReferralEngine> = (blueprint, connection, ctx) =>
      // The suite's own transport type is looser than the family's EventTransport it stands for.
      blueprint.bind(connection, ctx.transport ? { eventTransport: ctx.transport as unknown as up.EventTransport } : {});
    expectTypeOf(bind).toBeFunction();
  });
});
