// Prints the configuration table for the README from core/config (the one source of the settings).
import { describeSettings } from '../core/config/index.ts';

console.log(describeSettings());
