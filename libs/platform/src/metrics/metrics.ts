import {
  collectDefaultMetrics,
  Counter,
  CounterConfiguration,
  Gauge,
  GaugeConfiguration,
  Histogram,
  HistogramConfiguration,
  Registry,
} from 'prom-client';

/**
 * One Prometheus registry per service app (not prom-client's global one: tests run several
 * services in one process, and each must expose only its own). Metrics are created once by name
 * and shared by whoever asks for the same name, so two modules cannot register it twice.
 */
export class Metrics {
  readonly registry = new Registry();
  private readonly created = new Map<string, Counter | Gauge | Histogram>();

  constructor(service: string, options: { readonly processMetrics?: boolean } = {}) {
    this.registry.setDefaultLabels({ service });
    if (options.processMetrics ?? true) {
      collectDefaultMetrics({ register: this.registry, prefix: 'waybill_' });
    }
  }

  counter<L extends string>(config: Omit<CounterConfiguration<L>, 'registers'>): Counter<L> {
    return this.once(config.name, () => new Counter<L>({ ...config, registers: [this.registry] }));
  }

  gauge<L extends string>(config: Omit<GaugeConfiguration<L>, 'registers'>): Gauge<L> {
    return this.once(config.name, () => new Gauge<L>({ ...config, registers: [this.registry] }));
  }

  histogram<L extends string>(config: Omit<HistogramConfiguration<L>, 'registers'>): Histogram<L> {
    return this.once(config.name, () => new Histogram<L>({ ...config, registers: [this.registry] }));
  }

  /** The text exposition format Prometheus scrapes. */
  async exposition(): Promise<{ contentType: string; body: string }> {
    return { contentType: this.registry.contentType, body: await this.registry.metrics() };
  }

  private once<M extends Counter | Gauge | Histogram>(name: string, create: () => M): M {
    const existing = this.created.get(name);
    if (existing) {
      return existing as M;
    }
    const metric = create();
    this.created.set(name, metric);
    return metric;
  }
}

/** Seconds buckets for work that usually takes milliseconds (handlers, HTTP, provider calls). */
export const LATENCY_BUCKETS = [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10];
