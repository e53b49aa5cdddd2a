// The gateway alone (docker-compose): API, dashboard and live push.
import { startProcess } from '../core/runtime.ts';
import { GatewayService } from './gateway.service.ts';

await startProcess('gateway', (rt) => [new GatewayService(rt)]);
