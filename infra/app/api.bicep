// The Function App: Flex Consumption, Linux, Node, running as the user-assigned identity. HTTPS only, TLS 1.2 at
// least, FTP and basic-auth publishing off (azd deploys with an Entra token).
// Flex Consumption refuses or ignores many classic site properties and app settings (siteConfig.ftpsState and
// alwaysOn among them; FTP is off through basicPublishingCredentialsPolicies instead). The list is
// https://learn.microsoft.com/azure/azure-functions/functions-app-settings#flex-consumption-plan-deprecations and
// test/infra/flex-deprecations.test.ts fails when any of them appears in infra/.
param name string
param location string = resourceGroup().location
param tags object = {}

@description('Service name in azure.yaml; azd finds the app to deploy to by this tag.')
param serviceName string = 'api'

param appServicePlanId string
param runtimeName string
param runtimeVersion string
param storageAccountName string
param deploymentContainerName string

@description('Resource id of the user-assigned managed identity the app runs as.')
param identityId string

@description('Client id of that identity.')
param identityClientId string

@description('Vault URI, e.g. https://kv-abc.vault.azure.net/')
param keyVaultUri string

param applicationInsightsConnectionString string

@description('NCRONTAB schedule (six fields, seconds first, UTC) of the Graph sync timer; the default is 02:00 every night.')
param graphSyncSchedule string = '0 0 2 * * *'

@minValue(1)
@maxValue(3650)
@description('Whole days the provisioning log keeps its entries; a daily timer deletes older days.')
param provisioningLogRetentionDays int = 30

@description('Client id of the app registration admins sign in with; empty leaves built-in authentication off.')
param adminAuthClientId string = ''

@description('Tenant of that app registration.')
param adminAuthTenantId string = tenant().tenantId

// Instance sizes Flex Consumption offers:
// https://learn.microsoft.com/azure/azure-functions/flex-consumption-plan#instance-sizes
@allowed([512, 2048, 4096])
@description('Memory of each instance in MB.')
param instanceMemoryMB int = 2048

// "The lowest maximum scale is currently 1. The highest currently supported value is 1000":
// https://learn.microsoft.com/azure/azure-functions/flex-consumption-plan#considerations
@minValue(1)
@maxValue(1000)
@description('Upper bound of instances.')
param maximumInstanceCount int = 100

resource stg 'Microsoft.Storage/storageAccounts@2023-05-01' existing = {
  name: storageAccountName
}

// The app settings, all of them: every setting the product reads (settingNames in shared/config.ts) except the
// local-only ones, plus the platform settings the Functions host needs. infra/settings-parity.json names both lists
// and test/infra/settings-parity.test.ts holds this object to them. Add a product setting here and to the schema.
var appSettings = {
  // Identity-based host storage. The host reads all of these; the product reads __tableServiceUri, __queueServiceUri,
  // __credential and __clientId to reach Table Storage and the graph-sync queue with the same identity.
  AzureWebJobsStorage__credential: 'managedidentity'
  AzureWebJobsStorage__clientId: identityClientId
  AzureWebJobsStorage__blobServiceUri: stg.properties.primaryEndpoints.blob
  AzureWebJobsStorage__queueServiceUri: stg.properties.primaryEndpoints.queue
  AzureWebJobsStorage__tableServiceUri: stg.properties.primaryEndpoints.table
  // DefaultAzureCredential picks the user-assigned identity by this client id (Key Vault, Graph).
  AZURE_CLIENT_ID: identityClientId
  KEY_VAULT_URL: keyVaultUri
  // The host sends logs and requests to Application Insights, authenticating as the identity (local auth is off).
  APPLICATIONINSIGHTS_CONNECTION_STRING: applicationInsightsConnectionString
  APPLICATIONINSIGHTS_AUTHENTICATION_STRING: 'ClientId=${identityClientId};Authorization=AAD'
  // When the Graph sync timer starts a run for every enabled Graph integration (the trigger reads %GRAPH_SYNC_SCHEDULE%).
  GRAPH_SYNC_SCHEDULE: graphSyncSchedule
  // Days the provisioning log keeps (shared/provisioning-log/retention.ts).
  PROVISIONING_LOG_RETENTION_DAYS: string(provisioningLogRetentionDays)
  // The app registration of admin sign-in (empty: off); a signed-in principal's audience must be this client id.
  ADMIN_AUTH_CLIENT_ID: adminAuthClientId
}

// App Service built-in authentication (Easy Auth) with Microsoft Entra ID, only when an app registration is supplied
// (docs/deploying-to-azure.md, "Admin sign-in"). It never refuses a request itself: unauthenticated calls go on
// (AllowAnonymous), so Entra's SCIM calls (their own bearer token) and function-key calls reach the code, which
// decides; a browser that signed in arrives with X-MS-CLIENT-PRINCIPAL, which the platform sets and strips from
// clients. The SCIM routes are excluded outright, so their bearer token is never read as an Entra token. No client
// secret: sign-in uses the ID token of the implicit flow (the registration enables ID tokens), so nothing to store.
var adminAuthConfigs = empty(adminAuthClientId)
  ? []
  : [
      {
        name: 'authsettingsV2'
        properties: {
          platform: {
            enabled: true
          }
          globalValidation: {
            requireAuthentication: false
            unauthenticatedClientAction: 'AllowAnonymous'
            excludedPaths: [
              '/api/scim'
            ]
          }
          httpSettings: {
            requireHttps: true
          }
          identityProviders: {
            azureActiveDirectory: {
              enabled: true
              registration: {
                clientId: adminAuthClientId
                openIdIssuer: '${environment().authentication.loginEndpoint}${adminAuthTenantId}/v2.0'
              }
              validation: {
                allowedAudiences: [
                  adminAuthClientId
                  'api://${adminAuthClientId}'
                ]
              }
            }
          }
          login: {
            tokenStore: {
              enabled: false
            }
          }
        }
      }
    ]

module api 'br/public:avm/res/web/site:0.22.0' = {
  name: '${serviceName}-flex-consumption'
  params: {
    kind: 'functionapp,linux'
    name: name
    location: location
    tags: union(tags, { 'azd-service-name': serviceName })
    serverFarmResourceId: appServicePlanId
    httpsOnly: true
    clientAffinityEnabled: false
    publicNetworkAccess: 'Enabled'
    managedIdentities: {
      systemAssigned: false
      userAssignedResourceIds: [
        identityId
      ]
    }
    basicPublishingCredentialsPolicies: [
      {
        name: 'ftp'
        allow: false
      }
      {
        name: 'scm'
        allow: false
      }
    ]
    functionAppConfig: {
      deployment: {
        storage: {
          type: 'blobContainer'
          value: '${stg.properties.primaryEndpoints.blob}${deploymentContainerName}'
          authentication: {
            type: 'UserAssignedIdentity'
            userAssignedIdentityResourceId: identityId
          }
        }
      }
      scaleAndConcurrency: {
        // No always-ready instances: nothing is billed while no request arrives (a cold start costs a few seconds,
        // well inside the time Entra's provisioning service waits).
        alwaysReady: []
        instanceMemoryMB: instanceMemoryMB
        maximumInstanceCount: maximumInstanceCount
      }
      runtime: {
        name: runtimeName
        version: runtimeVersion
      }
    }
    siteConfig: {
      http20Enabled: true
      minTlsVersion: '1.2'
      scmMinTlsVersion: '1.2'
    }
    // Only `properties`: passing storageAccountResourceId or applicationInsightResourceId here would make the module
    // add settings of its own (for a storage account without identity auth, a connection string with an account key).
    configs: concat(
      [
        {
          name: 'appsettings'
          // Bicep is the source of truth: the module's default (true) reads the site's current settings with list() and
          // merges them in, so a setting removed here, or added by hand in the portal, would live on in Azure. With
          // false, every `azd provision` leaves exactly appSettings (docs/deploying-to-azure.md, "App settings").
          retainCurrentAppSettings: false
          properties: appSettings
        }
      ],
      adminAuthConfigs
    )
  }
}

output name string = api.outputs.name
output url string = 'https://${api.outputs.defaultHostname}'
