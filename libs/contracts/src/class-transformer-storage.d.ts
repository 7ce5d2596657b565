// class-transformer publishes its metadata storage only as a deep CommonJS path without typings.
declare module 'class-transformer/cjs/storage' {
  export * from 'class-transformer/types/storage';
}
