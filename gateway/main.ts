// The gateway alone (docker-compose): API, dashboard and live push.
import { openRuntime } from '../core/runtime.ts';
import { GatewayService } from './gateway.service.ts';

const rt = await openRuntime({ name: 'gateway' });
await rt.run([new GatewayService(rt)]);
