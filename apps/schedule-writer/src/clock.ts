import { Injectable } from '@nestjs/common';

/** The time now. Injected, so the writer's rules of time (which events are past) are tested at any instant. */
export abstract class Clock {
  abstract now(): Date;
}

@Injectable()
export class SystemClock extends Clock {
  now(): Date {
    return new Date();
  }
}
