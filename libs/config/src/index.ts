export {
  ConfigSchema,
  CLIENT_NAME_PATTERN,
  RADIUS_LISTEN_PATTERN,
  type Config,
  type ClientConfig,
  type ReplyAttribute,
  type SecondFactorMethod,
  type FirstFactor,
  type RedisConfig,
  type DirectoriesConfig,
  type MfaConfig,
  type LogLevel,
} from './schema.js';
export { parseConfig, loadConfig, type ParseConfigOptions, type ParsedConfig } from './parse.js';
export { ConfigError, formatConfigProblem, formatConfigProblems, type ConfigProblem } from './problems.js';
export { parseCidr, parseIp, cidrContains, cidrKey, InvalidAddressError, type Cidr } from './cidr.js';
export { parseEndpoint, InvalidEndpointError, type Endpoint, type ParseEndpointOptions } from './endpoint.js';
