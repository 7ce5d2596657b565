/** The loaded `BaseServiceConfig` (subclass instance) a service passed to `PlatformModule.forRoot`. */
export const PLATFORM_CONFIG = Symbol('waybill:platform-config');
