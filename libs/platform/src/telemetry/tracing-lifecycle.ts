import { Injectable, OnApplicationShutdown } from '@nestjs/common';
import { flushTracing } from './tracing';

/** Exports the spans still buffered when the app shuts down (a no-op when export is off). */
@Injectable()
export class TracingLifecycle implements OnApplicationShutdown {
  async onApplicationShutdown(): Promise<void> {
    await flushTracing();
  }
}
