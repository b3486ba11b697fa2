export * from './infrastructure';
export * from './expect-eventually';
export * from './topic-reader';
export * from './service-harness';
export * from './service-process';
export * from './sftp-client';
export * from './resolved-batch';
