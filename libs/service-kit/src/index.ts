export * from './env.util';
export * from './json-logger';
export * from './health';
export * from './service-config';
export * from './bootstrap';
export * from './secret.util';
export * from './metrics';
export * from './tracing';
