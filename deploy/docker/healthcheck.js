// Docker HEALTHCHECK: the slim image has no curl, so Node asks the service on its port (PORT, else
// the service's default, as its config class has it). `healthcheck.js /health/ready` asks readiness.
const DEFAULT_PORTS = { order: 3001, inventory: 3002, payment: 3003, logistics: 3004, channels: 3005 };
const port = process.env.PORT || DEFAULT_PORTS[process.env.SERVICE];
const path = process.argv[2] || '/health/live';
fetch(`http://127.0.0.1:${port}${path}`, { signal: AbortSignal.timeout(4000) }).then(
  (response) => process.exit(response.ok ? 0 : 1),
  () => process.exit(1),
);
