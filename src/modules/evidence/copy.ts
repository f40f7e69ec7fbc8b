import { putVerified, sha256Of, type EvidenceStore } from './storage.js'

export interface CopyReport {
  /** files copied into the target */
  copied: number
  /** files the target held already */
  present: number
  /** files whose bytes in the target hash to their name (after copying) */
  verified: number
  failed: { sha256: string; reason: string }[]
}

/**
 * Copies every file of `from` into `to` (e.g. DATA_DIR to a bucket) and then reads each one back
 * from `to` and checks its SHA-256. A source file whose bytes do not hash to its name is not
 * copied and is reported. Safe to run again: what is already there is only verified.
 */
export async function copyEvidence(
  from: EvidenceStore,
  to: EvidenceStore,
  onFile?: (sha256: string, outcome: 'copied' | 'present' | 'failed') => void,
): Promise<CopyReport> {
  const report: CopyReport = { copied: 0, present: 0, verified: 0, failed: [] }
  for await (const sha256 of from.list()) {
    let outcome: 'copied' | 'present' | 'failed'
    try {
      if (await to.exists(sha256)) {
        outcome = 'present'
        report.present++
      } else {
        await putVerified(to, sha256, await from.open(sha256))
        outcome = 'copied'
        report.copied++
      }
      const actual = await sha256Of(await to.open(sha256))
      if (actual === sha256) report.verified++
      else {
        outcome = 'failed'
        report.failed.push({ sha256, reason: `the copy in the target hashes to ${actual}` })
      }
    } catch (error) {
      outcome = 'failed'
      report.failed.push({ sha256, reason: error instanceof Error ? error.message : String(error) })
    }
    onFile?.(sha256, outcome)
  }
  return report
}
