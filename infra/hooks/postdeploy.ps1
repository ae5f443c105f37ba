# azd postdeploy hook (Windows): print what to do next. Reads azd outputs only (no keys, no tokens are printed).
$ErrorActionPreference = 'Stop'

function Get-AzdValue([string] $Name) {
  # azd exports the environment's values to hooks; `azd env get-value` covers running this script by hand.
  $current = [Environment]::GetEnvironmentVariable($Name)
  if (-not $current -and (Get-Command azd -ErrorAction SilentlyContinue)) {
    $current = (azd env get-value $Name 2>$null)
    if ($LASTEXITCODE -ne 0) { $current = '' }
  }
  if ($current) { return $current } else { return '<unknown>' }
}

$appUrl = Get-AzdValue 'FUNCTION_APP_URL'
$tenantUrlBase = Get-AzdValue 'SCIM_TENANT_URL_BASE'
$appName = Get-AzdValue 'AZURE_FUNCTION_APP_NAME'
$resourceGroup = Get-AzdValue 'AZURE_RESOURCE_GROUP'
$vault = Get-AzdValue 'AZURE_KEY_VAULT_NAME'

Write-Host @"

The SCIM endpoint is deployed.
  Function App:      $appUrl
  Tenant URL base:   $tenantUrlBase
  Resource group:    $resourceGroup
  Key Vault:         $vault

Next steps
  1. Get a function key for the admin API (it is not printed here):
       az functionapp keys list --name $appName --resource-group $resourceGroup
  2. Create an integration through the admin API (e.g. POST $appUrl/api/admin/integrations with the
     key in the x-functions-key header). The answer holds the integration's Tenant URL (the Tenant URL base
     above, then /<integration id>/v2) and its secret token, shown once (POST .../secret-token/reveal shows it again).
  3. In the Microsoft Entra admin center: Enterprise applications > your app > Provisioning > Admin Credentials,
     paste the Tenant URL and the Secret Token, select Test Connection, then Save and start provisioning.
  4. Watch it: docs/operations.md has KQL for failed provisioning requests, throttled Graph calls and slow requests
     (Application Insights > Logs).
"@
