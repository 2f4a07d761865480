export { serve, type Served } from './serve.js';
export { healthMiddleware, type HealthMiddleware } from './middleware.js';
export { serveDefaults, type ServeOptions, type RequestListener } from './options.js';
export {
  ExpressErrorCodes,
  PmExpressError,
  InvalidServeOptionsError,
  PortInUseError,
  ReadyFailedError,
  type ExpressErrorCode,
  type PortHolder,
} from './errors.js';
