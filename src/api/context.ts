import type { Config } from '../config/config.js';
import type { Metrics } from '../delivery/metrics.js';
import type { OperationalEvents } from '../delivery/operational-events.js';
import type { Vault } from '../security/vault.js';
import type { Store } from '../store/index.js';
import type { KeyCache } from './auth.js';
import type { BackgroundTasks } from './background-tasks.js';
import type { Audit } from './audit.js';

/** What every route module receives. */
export interface ApiContext {
  config: Config;
  store: Store;
  vault: Vault;
  keys: KeyCache;
  audit: Audit;
  /** Tells this process's delivery worker that new deliveries are due. */
  notify: () => void;
  metrics: Metrics;
  /** Operational events the API reports (endpoint changes), and the operational application they go to. */
  events: OperationalEvents;
  /** The background tasks this process runs. */
  tasks: BackgroundTasks;
}
