// Integration tests wait on real brokers and databases; their bound is set here because jest
// ignores `testTimeout` inside a project.
jest.setTimeout(120_000);
