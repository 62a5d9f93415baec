/**
 * Headless Chromium (the Debian package) driven by playwright-core. Missing Chromium follows the
 * validators' policy: the test says so and skips, or fails under FEEDMIRROR_REQUIRE_VALIDATORS=1.
 */
import { chromium, type Browser } from 'playwright-core';
import { findExecutable, missingTool } from '../../helpers/tools.js';

export const CHROMIUM_PATH = '/usr/bin/chromium';
/** No sandbox (containers), and no traffic of its own: the only network is the test's server. */
export const CHROMIUM_ARGS = ['--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'];

/** Launches Chromium, or skips (fails in CI) the running test when it is not installed. */
export async function launchChromium(extraArgs: string[] = []): Promise<Browser> {
  const executablePath = (await findExecutable(CHROMIUM_PATH)) ?? missingTool(`Chromium at ${CHROMIUM_PATH} (Debian package chromium)`);
  return chromium.launch({ executablePath, args: [...CHROMIUM_ARGS, ...extraArgs] });
}
