import { plainToInstance, type ClassConstructor } from 'class-transformer';
import { validateSync } from 'class-validator';

/** Thrown when a service's environment is wrong; the message names every offending variable. */
export class ConfigurationError extends Error {
  override name = 'ConfigurationError';
}

/**
 * Validates the environment against a class of class-validator rules, once, at start-up.
 * Unknown variables are ignored (the environment holds much else); values are converted to the
 * declared types (numbers, booleans) by the class's @Type/@Transform decorators.
 */
export function validateEnv<T extends object>(type: ClassConstructor<T>, env: NodeJS.ProcessEnv = process.env): T {
  const config = plainToInstance(type, { ...env }, { enableImplicitConversion: true, exposeDefaultValues: true });
  const problems = validateSync(config, { skipMissingProperties: false, whitelist: false });
  if (problems.length > 0) {
    const details = problems
      .map((problem) => `${problem.property}: ${[...new Set(Object.values(problem.constraints ?? {}))].join(', ')}`)
      .join('; ');
    throw new ConfigurationError(`invalid configuration: ${details}`);
  }
  return config;
}
