import { Injectable } from '@nestjs/common';
import { ConsumerStatus } from './supervised-consumer';

/**
 * Where readiness reads the state of the service's consumers. The Kafka transport is built
 * outside Nest's container (it is the microservice's strategy), so it reports here.
 */
@Injectable()
export class ConsumerHealth {
  private source: () => readonly ConsumerStatus[] = () => [];

  watch(source: () => readonly ConsumerStatus[]): void {
    this.source = source;
  }

  statuses(): readonly ConsumerStatus[] {
    return this.source();
  }
}
