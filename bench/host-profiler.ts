// A CPU profile of this process over a window the bench chooses (the SCIM phases), through the inspector API: the
// same .cpuprofile as `node --cpu-prof`, without the start-up, the user import and the untimed measurements in it.
// Open it in Chrome DevTools (Performance) or summarise it with bench/profile-summary.ts.
import { Session } from 'node:inspector/promises';
import { writeFile } from 'node:fs/promises';

/** Sampling interval; the default (1 ms) misses most of a 3 ms request. */
const SAMPLING_INTERVAL_IN_MICROSECONDS = 200;

export class HostProfiler {
  private session: Session | undefined;

  async start(): Promise<void> {
    if (this.session !== undefined) return;
    const session = new Session();
    session.connect();
    await session.post('Profiler.enable');
    await session.post('Profiler.setSamplingInterval', { interval: SAMPLING_INTERVAL_IN_MICROSECONDS });
    await session.post('Profiler.start');
    this.session = session;
  }

  /** Stops the profile and writes it to `path`; nothing when no profile runs. */
  async stop(path: string): Promise<void> {
    const session = this.session;
    if (session === undefined) return;
    this.session = undefined;
    const { profile } = await session.post('Profiler.stop');
    session.disconnect();
    await writeFile(path, JSON.stringify(profile));
  }
}
