// The site properties and app settings that Microsoft lists as deprecated on the Flex Consumption plan: "these site
// properties and application settings are deprecated and shouldn't be used when creating function app resources".
// Source: https://learn.microsoft.com/azure/azure-functions/functions-app-settings#flex-consumption-plan-deprecations
// (the table "Flex Consumption plan deprecations"), plus WEBSITE_TIME_ZONE and TZ, which
// https://learn.microsoft.com/azure/azure-functions/flex-consumption-plan#considerations says are not supported.
// Some of them make ARM refuse the site ("site configuration properties … for Flex Consumption sites is invalid"),
// the others are ignored or overwritten; none belongs in infra/.
import { readRepoFile, stripBicepComments } from './bicep-text.js';

export const DEPRECATED_APP_SETTINGS = [
  'ENABLE_ORYX_BUILD',
  'FUNCTIONS_EXTENSION_VERSION',
  'FUNCTIONS_WORKER_RUNTIME',
  'FUNCTIONS_WORKER_RUNTIME_VERSION',
  'FUNCTIONS_MAX_HTTP_CONCURRENCY',
  'FUNCTIONS_WORKER_PROCESS_COUNT',
  'FUNCTIONS_WORKER_DYNAMIC_CONCURRENCY_ENABLED',
  'SCM_DO_BUILD_DURING_DEPLOYMENT',
  'WEBSITE_CONTENTAZUREFILECONNECTIONSTRING',
  'WEBSITE_CONTENTOVERVNET',
  'WEBSITE_CONTENTSHARE',
  'WEBSITE_DNS_SERVER',
  'WEBSITE_MAX_DYNAMIC_APPLICATION_SCALE_OUT',
  'WEBSITE_NODE_DEFAULT_VERSION',
  'WEBSITE_RUN_FROM_PACKAGE',
  'WEBSITE_SKIP_CONTENTSHARE_VALIDATION',
  'WEBSITE_VNET_ROUTE_ALL',
  'WEBSITE_TIME_ZONE',
  'TZ',
] as const;

/** The `properties.*` / `properties.siteConfig.*` entries of the same table, by their last segment. */
export const DEPRECATED_SITE_PROPERTIES = [
  'alwaysOn',
  'containerSize',
  'dnsConfiguration',
  'ftpsState',
  'isReserved',
  'IsXenon',
  'javaVersion',
  'LinuxFxVersion',
  'netFrameworkVersion',
  'powerShellVersion',
  'functionAppScaleLimit',
  'preWarmedInstanceCount',
  'use32BitWorkerProcess',
  'vnetBackupRestoreEnabled',
  'vnetContentShareEnabled',
  'vnetImagePullEnabled',
  'vnetRouteAllEnabled',
  'windowsFxVersion',
] as const;

/** What an infra file declares, comments left out (a comment may explain why a name is absent). */
export function infraCode(path: string): string {
  const text = readRepoFile(path);
  return path.endsWith('.bicep') ? stripBicepComments(text) : text;
}

/**
 * Deprecated names used in `code`: as a key (`name:`, `'name':`, `"name":`) or as a quoted string (an app setting
 * named in a list or a `name: '…'` pair). Matching ignores case: app setting names are case-insensitive in Azure, and
 * ARM property names are too.
 */
export function deprecatedNamesIn(code: string): string[] {
  const found: string[] = [];
  for (const name of [...DEPRECATED_APP_SETTINGS, ...DEPRECATED_SITE_PROPERTIES]) {
    const asKey = new RegExp(`(?:^|[\\s{,])['"]?${name}['"]?\\s*:`, 'im');
    const asString = new RegExp(`['"]${name}['"]`, 'i');
    if (asKey.test(code) || asString.test(code)) found.push(name);
  }
  return found;
}
