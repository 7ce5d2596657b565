import { Injectable } from '@nestjs/common';

/**
 * "A purchase order may be due for sending": raised where orders are created, heard by the
 * dispatcher. A plain signal keeps the planner free of the dispatcher (and its suppliers, whose
 * sandbox books through the planner). Losing a signal costs one poll interval, nothing more.
 */
@Injectable()
export class DispatchSignal {
  private listener?: () => void;

  listen(listener: () => void): void {
    this.listener = listener;
  }

  /** Soon rather than now: the creating transaction is usually still open. */
  raise(): void {
    const listener = this.listener;
    if (listener) {
      setTimeout(listener, 20).unref();
    }
  }
}
