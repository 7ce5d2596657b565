// Marked by configureHttpApp's middleware: tells "the client sent no body" (400) apart from
// "this app never captures raw bodies" (a wiring bug, 500), which otherwise look the same.
const captureEnabled = new WeakSet<object>();

export function markRawBodyCapture(request: object): void {
  captureEnabled.add(request);
}

export function isRawBodyCaptured(request: object): boolean {
  return captureEnabled.has(request);
}
