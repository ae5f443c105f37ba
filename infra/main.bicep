// Everything `azd up` creates for the SCIM endpoint: one resource group holding a Flex Consumption Function App that
// runs as a user-assigned managed identity, its storage (host + Table Storage state), a Key Vault for integration
// secret tokens, and Log Analytics + Application Insights. No keys or connection strings with keys anywhere: every
// data-plane call is authorised by Entra ID through the role assignments in app/rbac.bicep.
// The shape follows Azure-Samples/functions-quickstart-typescript-azd; the Azure Verified Module versions do not: they
// are this project's own pins (test/infra checks each is pinned), chosen and updated here on purpose.
targetScope = 'subscription'

@minLength(1)
@maxLength(64)
@description('Name of the azd environment; it seeds the unique suffix of every resource name.')
param environmentName string

@minLength(1)
@description('Region of every resource; it must offer the Flex Consumption plan.')
@allowed([
  'australiaeast'
  'australiasoutheast'
  'brazilsouth'
  'canadacentral'
  'centralindia'
  'centralus'
  'eastasia'
  'eastus'
  'eastus2'
  'francecentral'
  'germanywestcentral'
  'italynorth'
  'japaneast'
  'koreacentral'
  'northcentralus'
  'northeurope'
  'norwayeast'
  'southafricanorth'
  'southcentralus'
  'southeastasia'
  'southindia'
  'spaincentral'
  'swedencentral'
  'uaenorth'
  'uksouth'
  'ukwest'
  'westcentralus'
  'westeurope'
  'westus'
  'westus2'
  'westus3'
])
@metadata({
  azd: {
    type: 'location'
  }
})
param location string

// Optional name overrides: empty means the generated `<abbreviation><resourceToken>` name. Every optional parameter is
// mapped in main.parameters.json, so `azd env set <VARIABLE> <value>` reaches it (test/infra/parameters.test.ts).
param resourceGroupName string = ''
param functionAppName string = ''
param identityName string = ''
param appServicePlanName string = ''
param storageAccountName string = ''
param keyVaultName string = ''
param logAnalyticsName string = ''
param applicationInsightsName string = ''

@minValue(7)
@maxValue(90)
@description('Days a deleted vault or secret stays recoverable. With purge protection the vault name stays reserved this long after `azd down`.')
param keyVaultSoftDeleteRetentionInDays int = 90

// "The lowest maximum scale is currently 1. The highest currently supported value is 1000":
// https://learn.microsoft.com/azure/azure-functions/flex-consumption-plan#considerations
@minValue(1)
@maxValue(1000)
@description('Upper bound of Flex Consumption instances: caps cost under a burst of provisioning traffic.')
param maximumInstanceCount int = 100

// The instance sizes Flex Consumption offers: https://learn.microsoft.com/azure/azure-functions/flex-consumption-plan#instance-sizes
@allowed([512, 2048, 4096])
@description('Memory of each Flex Consumption instance in MB; 2048 is the documented default for most apps.')
param instanceMemoryMB int = 2048

@description('Daily ingestion cap of the Log Analytics workspace in GB (a string in this module version); \'-1\' removes the cap.')
param logAnalyticsDailyQuotaGb string = '1'

@description('NCRONTAB schedule (six fields, seconds first, UTC) of the Graph sync timer: 02:00 UTC every night by default.')
param graphSyncSchedule string = '0 0 2 * * *'

@minValue(1)
@maxValue(3650)
@description('Whole days the provisioning log keeps its entries (app setting PROVISIONING_LOG_RETENTION_DAYS).')
param provisioningLogRetentionDays int = 30

// Sign-in to the admin page and admin API with Microsoft Entra ID (App Service built-in authentication): the
// application (client) id of an app registration that defines the app role ContentManager.Admin (README
// "Administering"). Empty: built-in authentication stays off and the admin API is function-key only.
@description('Client id of the app registration admins sign in with; empty leaves sign-in off (function key only).')
param adminAuthClientId string = ''

@description('Tenant of that app registration; empty means the tenant of the subscription.')
param adminAuthTenantId string = ''

var abbrs = loadJsonContent('./abbreviations.json')
var resourceToken = toLower(uniqueString(subscription().id, environmentName, location))
var tags = { 'azd-env-name': environmentName }
var apiName = !empty(functionAppName) ? functionAppName : '${abbrs.webSitesFunctions}scim-${resourceToken}'
// Flex Consumption deploys from a blob container; azd uploads each package there.
var deploymentContainerName = 'app-package-${take(apiName, 32)}-${take(toLower(uniqueString(apiName, resourceToken)), 7)}'

resource rg 'Microsoft.Resources/resourceGroups@2021-04-01' = {
  name: !empty(resourceGroupName) ? resourceGroupName : '${abbrs.resourcesResourceGroups}${environmentName}'
  location: location
  tags: tags
}

// The one identity of the app: host storage, Table Storage, queues, Key Vault and Application Insights ingestion.
module identity 'br/public:avm/res/managed-identity/user-assigned-identity:0.4.1' = {
  name: 'identity'
  scope: rg
  params: {
    name: !empty(identityName) ? identityName : '${abbrs.managedIdentityUserAssignedIdentities}scim-${resourceToken}'
    location: location
    tags: tags
  }
}

module storage './app/storage.bicep' = {
  name: 'storage'
  scope: rg
  params: {
    name: !empty(storageAccountName) ? storageAccountName : '${abbrs.storageStorageAccounts}${resourceToken}'
    location: location
    tags: tags
    deploymentContainerName: deploymentContainerName
  }
}

module keyVault 'br/public:avm/res/key-vault/vault:0.13.3' = {
  name: 'keyVault'
  scope: rg
  params: {
    name: !empty(keyVaultName) ? keyVaultName : '${abbrs.keyVaultVaults}${resourceToken}'
    location: location
    tags: tags
    sku: 'standard'
    enableRbacAuthorization: true
    enableSoftDelete: true
    softDeleteRetentionInDays: keyVaultSoftDeleteRetentionInDays
    enablePurgeProtection: true
    enableVaultForDeployment: false
    enableVaultForTemplateDeployment: false
    enableVaultForDiskEncryption: false
    // Flex Consumption without a virtual network reaches the vault over its public endpoint; RBAC guards the data.
    publicNetworkAccess: 'Enabled'
    networkAcls: {
      defaultAction: 'Allow'
      bypass: 'AzureServices'
    }
  }
}

module logAnalytics 'br/public:avm/res/operational-insights/workspace:0.15.0' = {
  name: 'logAnalytics'
  scope: rg
  params: {
    name: !empty(logAnalyticsName) ? logAnalyticsName : '${abbrs.operationalInsightsWorkspaces}${resourceToken}'
    location: location
    tags: tags
    skuName: 'PerGB2018'
    dataRetention: 30
    dailyQuotaGb: logAnalyticsDailyQuotaGb
  }
}

module monitoring 'br/public:avm/res/insights/component:0.7.1' = {
  name: 'monitoring'
  scope: rg
  params: {
    name: !empty(applicationInsightsName) ? applicationInsightsName : '${abbrs.insightsComponents}${resourceToken}'
    location: location
    tags: tags
    kind: 'web'
    applicationType: 'web'
    workspaceResourceId: logAnalytics.outputs.resourceId
    // Entra-authenticated ingestion only: the instrumentation key alone cannot send telemetry.
    disableLocalAuth: true
  }
}

module appServicePlan 'br/public:avm/res/web/serverfarm:0.7.0' = {
  name: 'appServicePlan'
  scope: rg
  params: {
    name: !empty(appServicePlanName) ? appServicePlanName : '${abbrs.webServerFarms}${resourceToken}'
    location: location
    tags: tags
    skuName: 'FC1'
    reserved: true
    zoneRedundant: false
  }
}

module api './app/api.bicep' = {
  name: 'api'
  scope: rg
  params: {
    name: apiName
    location: location
    tags: tags
    appServicePlanId: appServicePlan.outputs.resourceId
    // The Node major must equal the one in package.json `engines` (test/infra checks it).
    runtimeName: 'node'
    runtimeVersion: '22'
    storageAccountName: storage.outputs.name
    deploymentContainerName: deploymentContainerName
    identityId: identity.outputs.resourceId
    identityClientId: identity.outputs.clientId
    keyVaultUri: keyVault.outputs.uri
    applicationInsightsConnectionString: monitoring.outputs.connectionString
    maximumInstanceCount: maximumInstanceCount
    instanceMemoryMB: instanceMemoryMB
    graphSyncSchedule: graphSyncSchedule
    provisioningLogRetentionDays: provisioningLogRetentionDays
    adminAuthClientId: adminAuthClientId
    adminAuthTenantId: !empty(adminAuthTenantId) ? adminAuthTenantId : tenant().tenantId
  }
  // The site starts (and azd's first deploy writes the package with the identity) only after the identity holds its
  // roles. Azure RBAC can still take minutes to propagate; README "Deploying to Azure" says what to do then.
  dependsOn: [
    rbac
  ]
}

module rbac './app/rbac.bicep' = {
  name: 'rbac'
  scope: rg
  params: {
    principalId: identity.outputs.principalId
    storageAccountName: storage.outputs.name
    keyVaultName: keyVault.outputs.name
    applicationInsightsName: monitoring.outputs.name
  }
}

// Outputs land in .azure/<env>/.env; infra/hooks/postdeploy.* prints the next steps from them. No secrets here.
output AZURE_LOCATION string = location
output AZURE_TENANT_ID string = tenant().tenantId
output AZURE_RESOURCE_GROUP string = rg.name
output AZURE_FUNCTION_APP_NAME string = api.outputs.name
output AZURE_KEY_VAULT_NAME string = keyVault.outputs.name
output AZURE_STORAGE_ACCOUNT_NAME string = storage.outputs.name
output APPLICATIONINSIGHTS_NAME string = monitoring.outputs.name
@description('The Function App, e.g. https://func-scim-abc123.azurewebsites.net')
output FUNCTION_APP_URL string = api.outputs.url
@description('Base of every integration\'s Tenant URL; the admin API returns each integration\'s full Tenant URL.')
output SCIM_TENANT_URL_BASE string = '${api.outputs.url}/api/scim'
