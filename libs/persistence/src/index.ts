export * from './entities';
export * from './data-source';
export * from './persistence.module';
export * from './repositories/integration.repository';
export { migrations } from './migrations';
