/** Herald's public surface: run Herald from code. */
export { loadConfig, ConfigError, type Config } from './config/config.js';
export { startHerald, type Herald, type StartOptions } from './herald.js';
