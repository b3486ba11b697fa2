export * from './entities';
export * from './data-source';
export * from './persistence.module';
export { migrations } from './migrations';
