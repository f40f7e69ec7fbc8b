import { randomBytes } from 'node:crypto'
import { mkdir, readFile, writeFile } from 'node:fs/promises'
import { join, resolve } from 'node:path'

/**
 * A 32-byte key kept in a file of DATA_DIR (mode 0600), made on first use: for the embedded
 * (single-process) database, where no operator has set the key yet. Returns the key as base64.
 */
export async function keyFromDataDir(
  dataDir: string,
  name: string,
): Promise<{ key: string; path: string; created: boolean }> {
  const path = join(resolve(dataDir), name)
  await mkdir(resolve(dataDir), { recursive: true })
  const key = randomBytes(32).toString('base64')
  try {
    await writeFile(path, `${key}\n`, { flag: 'wx', mode: 0o600 })
    return { key, path, created: true }
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error
  }
  const existing = (await readFile(path, 'utf8')).trim()
  if (Buffer.from(existing, 'base64').length !== 32)
    throw new Error(`${path} does not hold the base64 of 32 bytes; remove it to make a new key`)
  return { key: existing, path, created: false }
}
