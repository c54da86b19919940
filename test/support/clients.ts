import { execFileSync } from 'node:child_process';

/**
 * Interop tests drive real Kafka clients from Debian (kcat, kafka-python, confluent-kafka). Where one is missing
 * the test says so loudly and is skipped, except under CI=true, where a missing client fails the run: CI installs
 * them all (see .ci/run), so a skip there would hide a broken install.
 */

export type ExternalClient = 'kcat' | 'kafka-python' | 'confluent-kafka';

/** Debian's Python packages are seen by /usr/bin/python3, not by another python3 earlier on PATH. */
export const SYSTEM_PYTHON = '/usr/bin/python3';

const probes: Record<ExternalClient, () => void> = {
  kcat: () => execFileSync('kcat', ['-V'], { stdio: 'pipe' }),
  'kafka-python': () => execFileSync(SYSTEM_PYTHON, ['-c', 'import kafka'], { stdio: 'pipe' }),
  'confluent-kafka': () => execFileSync(SYSTEM_PYTHON, ['-c', 'import confluent_kafka'], { stdio: 'pipe' }),
};

const debianPackage: Record<ExternalClient, string> = {
  kcat: 'kcat',
  'kafka-python': 'python3-kafka',
  'confluent-kafka': 'python3-confluent-kafka',
};

const cache = new Map<ExternalClient, boolean>();

/** True if the client can run here. Throws under CI=true when it cannot; otherwise warns on stderr. */
export function hasClient(client: ExternalClient): boolean {
  const known = cache.get(client);
  if (known !== undefined) return known;
  let ok = true;
  try {
    probes[client]();
  } catch {
    ok = false;
  }
  cache.set(client, ok);
  if (!ok) {
    const msg = `${client} is not installed (apt-get install -y ${debianPackage[client]}); its interop tests cannot run`;
    if (process.env['CI'] === 'true') throw new Error(`${msg}, and CI=true requires it`);
    process.stderr.write(`\n*** SKIPPING: ${msg} ***\n\n`);
  }
  return ok;
}
