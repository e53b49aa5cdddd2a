// The book that keeps each camera's sealed credentials (core/credentials) in step with CAMERA_CREDENTIALS_FILE and
// with those set through the API.
import { createHash } from 'node:crypto';
import type { Logger } from '../../core/log.ts';
import type { CamerasRepository } from '../../core/db/repositories/cameras.repository.ts';
import { CredentialCipher, type CameraCredentials, type SealedCredentials } from '../../core/credentials/credential-cipher.ts';
import { NO_RULES, readCredentialRules, resolveCredentials, type CredentialRules } from './credential-rules.ts';

// The cipher and the types live in core (the gateway seals too); re-exported for the ingest modules that import them here.
export { CredentialCipher, type CameraCredentials, type SealedCredentials };

const basisOf = (c: CameraCredentials) => createHash('sha256').update(`${c.username}\0${c.password}`, 'utf8').digest('base64url');
const same = (a: CameraCredentials, b: CameraCredentials) => a.username === b.username && a.password === b.password;

/**
 * Each camera's credentials: the file's rule (camera > site > default) sealed into cameras.credentials_enc, unless
 * an administrator set others through the API since the file last changed for that camera.
 */
export class CameraCredentialBook {
  private rules: CredentialRules = NO_RULES;
  /** Per camera: the sealed text last read or written, and what it holds. */
  private readonly held = new Map<string, { sealed: string | null; open?: SealedCredentials }>();
  /** The refresh running now: the next one waits for it. */
  private turn: Promise<unknown> = Promise.resolve();

  constructor(
    private readonly cipher: CredentialCipher,
    private readonly repo: CamerasRepository,
    private readonly o: {
      file?: string;
      defaults: CameraCredentials;
      env?: NodeJS.ProcessEnv;
      log: Pick<Logger, 'warn' | 'info' | 'error'>;
    },
  ) {}

  /** Reads CAMERA_CREDENTIALS_FILE: at start a bad file throws; later the error is logged and the last good rules stay. */
  async load(strict: boolean): Promise<void> {
    if (!this.o.file) return;
    try {
      this.rules = await readCredentialRules(this.o.file, this.o.env ?? process.env);
    } catch (err) {
      if (strict) throw err;
      this.o.log.error({ err }, 'camera credentials file not reloaded; keeping the last good one');
    }
  }

  /** Credentials for a camera known only by its address (while its identity is asked). */
  forAddress(xaddr: string): CameraCredentials {
    return resolveCredentials(this.rules, { xaddr }, this.o.defaults).credentials;
  }

  /** The credentials the camera's watcher should use (as of the last refresh). */
  current(id: string): CameraCredentials {
    const open = this.held.get(id)?.open;
    return open ? { username: open.username, password: open.password } : this.o.defaults;
  }

  /**
   * Resolves every camera (or only `only`, whose credentials were set through the API) against the rules and seals
   * what changed; returns the cameras (seen before) whose credentials differ from what they had, with the new ones.
   * One at a time, so a discovery pass and a change notice cannot both see a camera change and prepare it twice.
   */
  refresh(only?: string): Promise<Map<string, CameraCredentials>> {
    const run = this.turn.then(() => this.resolve(only));
    this.turn = run.catch(() => undefined);
    return run;
  }

  private async resolve(only?: string): Promise<Map<string, CameraCredentials>> {
    const targets = (await this.repo.credentialTargets()).filter((t) => only === undefined || t.id === only);
    const writes: { id: string; sealed: string; expected: string | null; open: SealedCredentials }[] = [];
    const before = new Map(targets.map((t) => [t.id, this.held.has(t.id) ? this.current(t.id) : undefined]));
    for (const t of targets) {
      const r = resolveCredentials(this.rules, t, this.o.defaults);
      const basis = basisOf(r.credentials);
      const open = this.unseal(t.id, t.credentialsEnc);
      let next: SealedCredentials | undefined;
      if (!open) next = { ...r.credentials, source: r.rule, basis };
      else if (open.basis === basis) continue;
      else if (open.source === 'api' && open.basis === undefined)
        next = { ...open, basis }; // set through the API: adopted
      else {
        next = { ...r.credentials, source: r.rule, basis };
        if (open.source === 'api')
          this.o.log.info({ camera: t.id, rule: r.rule }, 'credentials file changed for a camera set through the API; the file wins');
      }
      writes.push({ id: t.id, sealed: this.cipher.encrypt(next), expected: t.credentialsEnc, open: next });
    }
    const written = new Set(await this.repo.replaceCredentials(writes));
    for (const w of writes) if (written.has(w.id)) this.held.set(w.id, { sealed: w.sealed, open: w.open });
    const changed = new Map<string, CameraCredentials>();
    for (const [id, was] of before) {
      const now = this.current(id);
      if (was && !same(was, now)) changed.set(id, now);
    }
    return changed;
  }

  /** The sealed text opened (cached while unchanged); undefined when empty or sealed with another key. */
  private unseal(id: string, sealed: string | null): SealedCredentials | undefined {
    const cached = this.held.get(id);
    if (cached && cached.sealed === sealed) return cached.open;
    let open: SealedCredentials | undefined;
    try {
      open = sealed ? this.cipher.decrypt(sealed) : undefined;
    } catch {
      this.o.log.warn({ camera: id }, 'camera credentials sealed with another CREDENTIAL_KEY; sealing the configured ones again');
    }
    this.held.set(id, { sealed, open });
    return open;
  }
}
