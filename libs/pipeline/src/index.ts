export * from './pipeline-messages';
export * from './rows-stage';
export * from './file-sync';
export * from './unknown-agent-error';
