// Starts a command (e.g. `npm start`) as a child process for tests, and stops it with its whole process group.
import { spawn, type ChildProcess } from 'node:child_process';

export interface Running {
  child: ChildProcess;
  output: () => string;
  waitFor(re: RegExp, timeoutMs?: number): Promise<RegExpMatchArray>;
  stop(signal?: NodeJS.Signals, timeoutMs?: number): Promise<number | null>;
}

export function run(cmd: string, args: string[], env: NodeJS.ProcessEnv = {}, cwd = process.cwd()): Running {
  const child = spawn(cmd, args, { cwd, env: { ...process.env, ...env }, detached: true, stdio: ['ignore', 'pipe', 'pipe'] });
  let out = '';
  child.stdout!.on('data', (d) => (out += d.toString()));
  child.stderr!.on('data', (d) => (out += d.toString()));
  const exited = new Promise<number | null>((r) => child.once('exit', (code) => r(code)));
  return {
    child,
    output: () => out,
    async waitFor(re, timeoutMs = 30_000) {
      const until = Date.now() + timeoutMs;
      while (Date.now() < until) {
        const m = out.match(re);
        if (m) return m;
        if (child.exitCode !== null) throw new Error(`process exited (${child.exitCode}) before ${re}:\n${out}`);
        await new Promise((r) => setTimeout(r, 100));
      }
      throw new Error(`timed out waiting for ${re}:\n${out.slice(-4000)}`);
    },
    async stop(signal = 'SIGTERM', timeoutMs = 15_000) {
      if (child.exitCode !== null) return child.exitCode;
      // The whole group: `npx tsx x.ts` is three processes, and killing only the first leaves the service running.
      try {
        process.kill(-child.pid!, signal);
      } catch {
        child.kill(signal);
      }
      const timer = setTimeout(() => {
        try {
          process.kill(-child.pid!, 'SIGKILL');
        } catch {
          /* already gone */
        }
      }, timeoutMs);
      const code = await exited;
      clearTimeout(timer);
      return code;
    },
  };
}

/** True when no process of the group is left. */
export function groupGone(pid: number): boolean {
  try {
    process.kill(-pid, 0);
    return false;
  } catch {
    return true;
  }
}

/** The all-in-one start (`main.ts`) on embedded backends with every port free to choose, as `npm start` runs it. */
export function startAllInOne(dataDir: string, port: number, env: NodeJS.ProcessEnv = {}): Running {
  return run(process.execPath, ['--import', 'tsx', 'main.ts'], {
    DATA_DIR: dataDir,
    PORT: String(port),
    MQTT_EMBEDDED_PORT: '0',
    SIM_CONTROL_PORT: '0',
    SIM_CAMERA_BASE_PORT: '0',
    SIM_RTSP_PORT: '0',
    DATABASE_URL: '',
    MQTT_URL: '',
    ...env,
  });
}
