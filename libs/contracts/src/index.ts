export * from './topics.constant';
export * from './platform.constant';
export * from './sync.constant';
export * from './messages';
export * from './decode.util';
