export * from './entities';
export * from './data-source';
export * from './persistence.module';
export * from './repositories/integration.repository';
export * from './repositories/mapping-rules-key';
export * from './copy/binary-copy-out';
export * from './copy/binary-fields';
export { migrations } from './migrations';
