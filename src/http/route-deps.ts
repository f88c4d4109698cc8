import type { Config } from '../config.ts';
import type { AppContext } from '../modules/context.ts';

export interface RouteDeps {
  ctx: AppContext;
  config: Pick<Config, 'session' | 'secureCookies' | 'publicBaseUrl' | 'captchaTestMode'>;
}
