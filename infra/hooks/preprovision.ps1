# azd preprovision hook (Windows): make sure the subscription has every resource provider the template deploys to
# registered. A fresh subscription often lacks Microsoft.App, which Flex Consumption needs ("Both Microsoft.Web and
# Microsoft.App resource providers must be enabled",
# https://learn.microsoft.com/azure/azure-functions/flex-consumption-plan#considerations).
# With the Azure CLI signed in, registers what is missing (and waits for it); without it, prints the exact commands.
$ErrorActionPreference = 'Stop'

# Microsoft.Resources and Microsoft.Authorization are always registered; these are the others infra/ deploys to.
$providers = @('Microsoft.App', 'Microsoft.Web', 'Microsoft.Storage', 'Microsoft.KeyVault', 'Microsoft.ManagedIdentity',
  'Microsoft.OperationalInsights', 'Microsoft.Insights')

$subscription = $env:AZURE_SUBSCRIPTION_ID
if (-not $subscription -and (Get-Command azd -ErrorAction SilentlyContinue)) {
  $subscription = (azd env get-value AZURE_SUBSCRIPTION_ID 2>$null)
  if ($LASTEXITCODE -ne 0) { $subscription = '' }
}
$subscriptionArgs = @()
if ($subscription) { $subscriptionArgs = @('--subscription', $subscription) }

function Write-Commands([string] $Reason) {
  Write-Host "$Reason Register the resource providers this deployment needs (once per subscription), then run azd again:"
  foreach ($provider in $providers) {
    Write-Host "  az provider register --namespace $provider $($subscriptionArgs -join ' ') --wait"
  }
}

if (-not (Get-Command az -ErrorAction SilentlyContinue)) {
  Write-Commands 'The Azure CLI (az) is not installed, so the resource providers were not checked.'
  exit 0
}

foreach ($provider in $providers) {
  $state = (az provider show --namespace $provider @subscriptionArgs --query registrationState --output tsv 2>$null)
  if ($LASTEXITCODE -ne 0) {
    Write-Commands 'Could not read the resource providers with the Azure CLI (sign in with `az login`).'
    exit 0
  }
  if ($state -eq 'Registered') {
    Write-Host "Resource provider ${provider}: registered."
    continue
  }
  Write-Host "Resource provider ${provider}: $state; registering it (this can take a few minutes)..."
  az provider register --namespace $provider @subscriptionArgs --wait
  if ($LASTEXITCODE -ne 0) { throw "az provider register --namespace $provider failed." }
  Write-Host "Resource provider ${provider}: registered."
}
