export { makeTempDir } from './temp-dir.js';
export { freePort } from './ports.js';
export { spawnFixture, type FixtureProcess, type SpawnFixtureOptions, type ExitResult } from './fixture.js';
export { waitFor, sleep, type WaitForOptions } from './wait.js';
export { httpRequest, type HttpResult, type HttpRequestOptions } from './http.js';
export { exampleAppSmokeSuite, type ExampleAppSmokeOptions } from './example-smoke.js';
export { readmeTable } from './readme.js';
export { services, portOpen, absent, serviceAvailable } from './services.js';
