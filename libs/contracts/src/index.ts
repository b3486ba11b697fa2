// class-transformer's @Type needs the metadata API wherever the messages are loaded.
import 'reflect-metadata';
export * from './topics.constant';
export * from './platform.constant';
export * from './sync.constant';
export * from './messages';
export * from './decode.util';
export * from './row-columns.util';
