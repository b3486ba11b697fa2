import { Global, Injectable, Module, type DynamicModule, type OnApplicationShutdown } from '@nestjs/common';
import { DataSource } from 'typeorm';
import { HealthIndicator } from '@bpo/service-kit';
import { createDataSource } from './data-source';

export const PERSISTENCE_OPTIONS = Symbol('PERSISTENCE_OPTIONS');

export interface PersistenceOptions {
  url: string;
  /** Pool size; the default suits one service instance. */
  poolSize?: number;
}

@Injectable()
export class DatabaseHealthIndicator extends HealthIndicator {
  readonly name = 'database';
  constructor(private readonly dataSource: DataSource) {
    super();
  }
  async check(): Promise<void> {
    await this.dataSource.query('SELECT 1');
  }
}

@Injectable()
class DataSourceCloser implements OnApplicationShutdown {
  constructor(private readonly dataSource: DataSource) {}
  async onApplicationShutdown(): Promise<void> {
    if (this.dataSource.isInitialized) await this.dataSource.destroy();
  }
}

/** Provides the TypeORM DataSource (initialized, never synchronizing) to the whole app. */
@Global()
@Module({})
export class PersistenceModule {
  static forRoot(options: PersistenceOptions): DynamicModule {
    return {
      module: PersistenceModule,
      providers: [
        { provide: PERSISTENCE_OPTIONS, useValue: options },
        {
          provide: DataSource,
          inject: [PERSISTENCE_OPTIONS],
          useFactory: async (opts: PersistenceOptions) => {
            const dataSource = createDataSource(opts.url, { extra: { max: opts.poolSize ?? 10 } });
            return dataSource.initialize();
          },
        },
        DatabaseHealthIndicator,
        DataSourceCloser,
      ],
      exports: [DataSource, DatabaseHealthIndicator],
    };
  }
}

