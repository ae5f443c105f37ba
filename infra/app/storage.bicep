// The one storage account: the Functions host's own storage (blob leases, keys, timer schedules), the container
// Flex Consumption deploys from, the queues of the Graph sync and the tables of the product's state.
// Shared-key access is off: the app and the host reach it with the managed identity only.
param name string
param location string = resourceGroup().location
param tags object = {}

@description('Blob container that Flex Consumption deploys the app package from.')
param deploymentContainerName string

@description('Tables the app uses (TABLE_NAMES in shared/storage/table-clients.ts). The app also creates them on first use; creating them here makes a fresh deployment complete before the first request.')
param tableNames array = [
  'integrations'
  'people'
  'userindex'
  'groups'
  'members'
  'attributes'
  'syncruns'
  'provisioninglog'
  'targeting'
]

@description('Queues the app uses: graph-sync carries the steps of the Graph sync (timer + queue trigger); the host moves a step that failed maxDequeueCount times (host.json) to graph-sync-poison, whose trigger marks its run failed.')
param queueNames array = [
  'graph-sync'
  'graph-sync-poison'
]

module storageAccount 'br/public:avm/res/storage/storage-account:0.31.2' = {
  name: 'storageAccount'
  params: {
    name: name
    location: location
    tags: tags
    kind: 'StorageV2'
    skuName: 'Standard_LRS'
    allowSharedKeyAccess: false
    defaultToOAuthAuthentication: true
    allowBlobPublicAccess: false
    minimumTlsVersion: 'TLS1_2'
    supportsHttpsTrafficOnly: true
    dnsEndpointType: 'Standard'
    // Flex Consumption without a virtual network reaches storage over its public endpoint; the module's default
    // firewall (deny) would lock the app out. Access is still identity-only.
    publicNetworkAccess: 'Enabled'
    networkAcls: {
      defaultAction: 'Allow'
      bypass: 'AzureServices'
    }
    blobServices: {
      containers: [
        {
          name: deploymentContainerName
          publicAccess: 'None'
        }
      ]
    }
    queueServices: {
      queues: [for queueName in queueNames: { name: queueName }]
    }
    tableServices: {
      tables: [for tableName in tableNames: { name: tableName }]
    }
  }
}

output name string = storageAccount.outputs.name
output resourceId string = storageAccount.outputs.resourceId
