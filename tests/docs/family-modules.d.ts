// The family's modules as a host imports them in README snippets; shapes from tests/family/upstream.ts.
declare module '@classytic/arc/events' {
  export function createEventRegistry(): import('../family/upstream.js').EventRegistry;
}
declare module '@classytic/primitives/event-infra' {
  export class InProcessEventBus implements import('../family/upstream.js').InProcessEventBusShape {
    constructor(options?: { name?: string });
    readonly name: string;
    publish(event: import('../family/upstream.js').DomainEvent): Promise<void>;
    publishMany(events: readonly import('../family/upstream.js').DomainEvent[]): Promise<import('../family/upstream.js').PublishManyResult>;
    subscribe(pattern: string, handler: import('../family/upstream.js').EventHandler): Promise<() => void>;
    close(): Promise<void>;
  }
}
declare module '@classytic/primitives/context' {
  export type OperationContext = import('../family/upstream.js').OperationContext;
}
declare module '@classytic/primitives/outbox' {
  export type OutboxStore = import('../family/upstream.js').OutboxStore;
}
declare module '@classytic/repo-core/errors' {
  export function toErrorContract(error: unknown): { code: string; message: string; status?: number; details?: readonly unknown[]; meta?: Readonly<Record<string, unknown>> };
}
