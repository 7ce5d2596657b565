import { DynamicModule, Module } from '@nestjs/common';
import { APP_GUARD } from '@nestjs/core';
import { LoggerModule } from 'nestjs-pino';
import { ApiKeyGuard } from './auth/api-key.guard';
import { ApiKeyRegistry } from './auth/api-key-registry';
import { BaseServiceConfig } from './config/base-service.config';
import { PlatformExceptionFilter } from './errors/platform-exception.filter';
import { Metrics } from './metrics/metrics';
import { MetricsController } from './metrics/metrics.controller';
import { PLATFORM_CONFIG } from './platform.tokens';
import { loggingParams } from './telemetry/logging';
import { TracingLifecycle } from './telemetry/tracing-lifecycle';
import { WebhookOutcomes } from './webhooks/webhook-outcomes';
import { RateLimitGuard } from './rate-limit/rate-limit.guard';
import { TokenBucketLimiter } from './rate-limit/token-bucket';

/**
 * `imports: [PlatformModule.forRoot(config)]` in a service's root module. Global, so feature modules
 * can inject the config by its own class (`constructor(private readonly config: OrderConfig)`).
 * The filter and validation pipe are HTTP-only and applied by `configureHttpApp`, not as APP_*
 * providers, which would also wrap @EventPattern handlers.
 */
@Module({})
export class PlatformModule {
  static forRoot(config: BaseServiceConfig, options: { readonly service?: string } = {}): DynamicModule {
    return {
      module: PlatformModule,
      global: true,
      imports: [LoggerModule.forRoot(loggingParams(config.LOG_LEVEL))],
      controllers: [MetricsController],
      providers: [
        TracingLifecycle,
        WebhookOutcomes,
        { provide: Metrics, useValue: new Metrics(options.service ?? 'waybill') },
        { provide: PLATFORM_CONFIG, useValue: config },
        { provide: config.constructor, useValue: config },
        { provide: ApiKeyRegistry, useValue: new ApiKeyRegistry(config.WAYBILL_API_KEYS) },
        {
          provide: TokenBucketLimiter,
          useValue: new TokenBucketLimiter({ perMinute: config.RATE_LIMIT_PER_MINUTE }),
        },
        PlatformExceptionFilter,
        // Order matters: the rate limit counts per key, so the key is resolved first.
        { provide: APP_GUARD, useClass: ApiKeyGuard },
        { provide: APP_GUARD, useClass: RateLimitGuard },
      ],
      exports: [
        PLATFORM_CONFIG,
        config.constructor,
        ApiKeyRegistry,
        PlatformExceptionFilter,
        Metrics,
        WebhookOutcomes,
      ],
    };
  }
}
