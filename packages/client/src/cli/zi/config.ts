/**
 * Where `zi login` keeps the server URL and token: `$XDG_CONFIG_HOME/zi/config.json`, else
 * `~/.config/zi/config.json`; the directory is 0700 and the file 0600 (written to a temporary
 * file with that mode, then renamed, so it is never readable by others, not even briefly).
 * `ZI_URL` and `ZI_TOKEN` override what the file holds.
 */
import { chmodSync, mkdirSync, readFileSync, renameSync, rmSync, statSync, writeFileSync } from 'node:fs'
import { homedir } from 'node:os'
import { join } from 'node:path'
import { CliError, EXIT } from './exit.js'
import { t } from './i18n.js'

export interface StoredConfig {
  url: string
  token: string
}

type Env = Record<string, string | undefined>

export function configDir(env: Env): string {
  const xdg = env.XDG_CONFIG_HOME
  return join(xdg && xdg.startsWith('/') ? xdg : join(env.HOME || homedir(), '.config'), 'zi')
}

export const configFile = (env: Env): string => join(configDir(env), 'config.json')

export function readConfig(env: Env, warn: (message: string) => void): Partial<StoredConfig> {
  const file = configFile(env)
  let text: string
  try {
    text = readFileSync(file, 'utf8')
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return {}
    throw new CliError(EXIT.usage, t('config:cannot_read', { file, why: (err as Error).message }))
  }
  if (process.platform !== 'win32' && (statSync(file).mode & 0o077) !== 0) {
    warn(t('config:readable', { file }))
  }
  try {
    const parsed = JSON.parse(text) as Partial<StoredConfig>
    return {
      ...(typeof parsed.url === 'string' ? { url: parsed.url } : {}),
      ...(typeof parsed.token === 'string' ? { token: parsed.token } : {}),
    }
  } catch {
    throw new CliError(EXIT.usage, t('config:not_json', { file }))
  }
}

export function writeConfig(env: Env, config: StoredConfig): string {
  const dir = configDir(env)
  mkdirSync(dir, { recursive: true, mode: 0o700 })
  const file = configFile(env)
  const tmp = `${file}.${process.pid}.tmp`
  writeFileSync(tmp, `${JSON.stringify(config, null, 2)}\n`, { mode: 0o600 })
  chmodSync(tmp, 0o600) // in case a umask or an old file got in the way
  renameSync(tmp, file)
  return file
}

export function removeConfig(env: Env): boolean {
  const file = configFile(env)
  try {
    rmSync(file)
    return true
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return false
    throw err
  }
}

/** The URL and token to use: the environment first, then the file. */
export function resolveCredentials(env: Env, warn: (message: string) => void): StoredConfig {
  const stored = env.ZI_URL && env.ZI_TOKEN ? {} : readConfig(env, warn)
  const url = env.ZI_URL || stored.url
  const token = env.ZI_TOKEN || stored.token
  if (!url || !token) {
    throw new CliError(
      EXIT.auth,
      t('config:not_logged_in', { file: configFile(env), what: t(url ? 'config:no_token' : 'config:no_url') }),
    )
  }
  return { url, token }
}
