// Camera credentials at rest: AES-256-GCM with a key hashed from CREDENTIAL_KEY (or a random key kept under
// DATA_DIR when unset), so the database never holds a camera password in plain text. Shared by ingest (which seals
// the file's credentials and opens them to talk to cameras) and the gateway (which seals those set through the API).
import { createCipheriv, createDecipheriv, createHash, randomBytes } from 'node:crypto';
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';

export interface CameraCredentials {
  username: string;
  password: string;
}

/** What is sealed: the credentials, where they came from and (inside the ciphertext) which file result they answer. */
export interface SealedCredentials extends CameraCredentials {
  /** `api`, `default`, `site:<name>` or `camera:<…>`. */
  source?: string;
  /** Hash of the credentials the file gave when these were sealed: when the file's result differs, it wins again. */
  basis?: string;
}

export class CredentialCipher {
  private constructor(private readonly key: Buffer) {}

  static fromSecret(secret: string): CredentialCipher {
    return new CredentialCipher(createHash('sha256').update(secret, 'utf8').digest());
  }

  /** CREDENTIAL_KEY when set; otherwise a key generated once and kept in DATA_DIR/credential.key (mode 600). */
  static async fromConfig(config: { credentialKey?: string; dataDir: string }): Promise<CredentialCipher> {
    if (config.credentialKey) return CredentialCipher.fromSecret(config.credentialKey);
    const file = path.resolve(config.dataDir, 'credential.key');
    const existing = await readFile(file, 'utf8').catch(() => undefined);
    if (existing?.trim()) return CredentialCipher.fromSecret(existing.trim());
    const secret = randomBytes(32).toString('base64');
    await mkdir(path.dirname(file), { recursive: true });
    await writeFile(file, secret, { mode: 0o600, flag: 'wx' }).catch(async () => undefined);
    return CredentialCipher.fromSecret((await readFile(file, 'utf8')).trim());
  }

  /** "v1.<iv>.<tag>.<ciphertext>" in base64url. */
  encrypt(c: SealedCredentials): string {
    const iv = randomBytes(12);
    const cipher = createCipheriv('aes-256-gcm', this.key, iv);
    const data = Buffer.concat([cipher.update(JSON.stringify(c), 'utf8'), cipher.final()]);
    return ['v1', iv, cipher.getAuthTag(), data].map((x) => (typeof x === 'string' ? x : x.toString('base64url'))).join('.');
  }

  /** Throws when the text was made with another key or altered. */
  decrypt(text: string): SealedCredentials {
    const [v, iv, tag, data] = text.split('.');
    if (v !== 'v1' || !iv || !tag || data === undefined) throw new Error('unknown credential format');
    const decipher = createDecipheriv('aes-256-gcm', this.key, Buffer.from(iv, 'base64url'));
    decipher.setAuthTag(Buffer.from(tag, 'base64url'));
    const plain = Buffer.concat([decipher.update(Buffer.from(data, 'base64url')), decipher.final()]).toString('utf8');
    return JSON.parse(plain) as SealedCredentials;
  }
}
