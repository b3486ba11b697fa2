export * from './kafka-settings';
export * from './topic-admin';
export * from './message-publisher';
export * from './message-consumer';
export * from './inbox-outbox';
export * from './outbox-relay';
export * from './messaging.module';
export * from './service-infrastructure';
