import { afterAll, beforeAll } from 'vitest';
import { startTestPlatform } from '../support/platform.ts';
import { adminSuite } from './admin.suite.ts';
import { apiDocsSuite } from './api-docs.suite.ts';
import { campaignsSuite } from './campaigns.suite.ts';
import { carrierIntegrationsSuite } from './carrier-integrations.suite.ts';
import { launchChromium } from './chromium.ts';
import { creatorsSuite } from './creators.suite.ts';
import { ensureDashboardBuilt } from './dashboard-build.ts';
import { exceptionsSuite } from './exceptions.suite.ts';
import { fleetSuite } from './fleet.suite.ts';
import { harness } from './harness.ts';
import { kpisSuite } from './kpis.suite.ts';
import { layoutSuite } from './layout.suite.ts';
import { mapSuite } from './map.suite.ts';
import { messagesSuite } from './messages.suite.ts';
import { parcelsSuite } from './parcels.suite.ts';
import { policySuite } from './policy.suite.ts';
import { programSuite } from './program.suite.ts';
import { samplePageSuite } from './sample-page.suite.ts';
import { samplesListSuite } from './samples-list.suite.ts';
import { signInSuite } from './sign-in.suite.ts';
import { workQueuesSuite } from './work-queues.suite.ts';

/**
 * The built dashboard in headless Chromium against the real platform, one suite per page.
 * One file starts one platform and one browser; the suites run in order against it.
 */

beforeAll(async () => {
  // Before the platform: it serves the dashboard only if the build exists when it starts.
  await ensureDashboardBuilt();
  harness.platform = await startTestPlatform();
  harness.browser = await launchChromium();
}, 240_000);

afterAll(async () => {
  await harness.browser?.close();
  await harness.platform?.close();
});

parcelsSuite();
exceptionsSuite();
mapSuite();
samplePageSuite();
samplesListSuite();
creatorsSuite();
kpisSuite();
fleetSuite();
carrierIntegrationsSuite();
signInSuite();
policySuite();
workQueuesSuite();
messagesSuite();
adminSuite();
programSuite();
campaignsSuite();
apiDocsSuite();
layoutSuite();
