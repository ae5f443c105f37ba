#!/bin/sh
# azd preprovision hook: make sure the subscription has every resource provider the template deploys to registered.
# A fresh subscription often lacks Microsoft.App, which Flex Consumption needs ("Both Microsoft.Web and Microsoft.App
# resource providers must be enabled", https://learn.microsoft.com/azure/azure-functions/flex-consumption-plan#considerations).
# With the Azure CLI signed in, registers what is missing (and waits for it); without it, prints the exact commands.
set -eu

# Microsoft.Resources and Microsoft.Authorization are always registered; these are the others infra/ deploys to.
PROVIDERS="Microsoft.App Microsoft.Web Microsoft.Storage Microsoft.KeyVault Microsoft.ManagedIdentity Microsoft.OperationalInsights Microsoft.Insights"

subscription=${AZURE_SUBSCRIPTION_ID:-}
if [ -z "$subscription" ] && command -v azd >/dev/null 2>&1; then
  subscription=$(azd env get-value AZURE_SUBSCRIPTION_ID 2>/dev/null || true)
fi
subscription_arg=""
[ -n "$subscription" ] && subscription_arg="--subscription $subscription"

print_commands() {
  echo "$1 Register the resource providers this deployment needs (once per subscription), then run azd again:"
  for provider in $PROVIDERS; do
    echo "  az provider register --namespace $provider $subscription_arg --wait"
  done
}

if ! command -v az >/dev/null 2>&1; then
  print_commands "The Azure CLI (az) is not installed, so the resource providers were not checked."
  exit 0
fi

for provider in $PROVIDERS; do
  # shellcheck disable=SC2086 # subscription_arg is empty or two words
  if ! state=$(az provider show --namespace "$provider" $subscription_arg --query registrationState --output tsv 2>/dev/null); then
    print_commands "Could not read the resource providers with the Azure CLI (sign in with \`az login\`)."
    exit 0
  fi
  if [ "$state" = "Registered" ]; then
    echo "Resource provider $provider: registered."
    continue
  fi
  echo "Resource provider $provider: ${state:-unknown}; registering it (this can take a few minutes)..."
  # shellcheck disable=SC2086
  az provider register --namespace "$provider" $subscription_arg --wait
  echo "Resource provider $provider: registered."
done
