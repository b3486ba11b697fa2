import 'reflect-metadata';
import { Injectable, Module, type BeforeApplicationShutdown } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { MessagePublisher } from './message-publisher';
import { PublisherCloser } from './messaging.module';

// Pins the shutdown order of the Nest version we use: the consumers and outbox relays stop in
// `beforeApplicationShutdown` (finishing what is in flight, which may still publish), and only then
// is the producer disconnected. Nest runs one module's `beforeApplicationShutdown` hooks at once,
// so a producer closed in that phase would be gone under a message in flight.
describe('shutdown order of the messaging module', () => {
  it('disconnects the producer only after the consumers and relays have finished what was in flight', async () => {
    const calls: string[] = [];
    const publisher = {
      publish: async () => void calls.push('publish'),
      disconnect: async () => void calls.push('disconnect'),
    };

    @Injectable()
    class InFlightWork implements BeforeApplicationShutdown {
      constructor(private readonly publisher: MessagePublisher) {}
      async beforeApplicationShutdown(): Promise<void> {
        await new Promise((resolve) => setTimeout(resolve, 50)); // a message still being handled
        await (this.publisher as unknown as typeof publisher).publish();
        calls.push('stopped');
      }
    }

    // The same module as the real one: the publisher's closer beside the work that still publishes.
    @Module({ providers: [{ provide: MessagePublisher, useValue: publisher }, PublisherCloser, InFlightWork] })
    class ShutdownModule {}

    const app = await NestFactory.createApplicationContext(ShutdownModule, { logger: false });
    await app.close();

    expect(calls).toEqual(['publish', 'stopped', 'disconnect']);
  });
});
