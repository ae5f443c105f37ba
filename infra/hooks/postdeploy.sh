#!/bin/sh
# azd postdeploy hook: print what to do next. Reads azd outputs only (no keys, no tokens are printed).
set -eu

value() {
  # azd exports the environment's values to hooks; `azd env get-value` covers running this script by hand.
  eval "current=\${$1:-}"
  if [ -z "$current" ] && command -v azd >/dev/null 2>&1; then
    current=$(azd env get-value "$1" 2>/dev/null || true)
  fi
  printf '%s' "$current"
}

app_url=$(value FUNCTION_APP_URL)
tenant_url_base=$(value SCIM_TENANT_URL_BASE)
app_name=$(value AZURE_FUNCTION_APP_NAME)
resource_group=$(value AZURE_RESOURCE_GROUP)
vault=$(value AZURE_KEY_VAULT_NAME)

cat <<NEXT

The SCIM endpoint is deployed.
  Function App:      ${app_url:-<unknown: run azd provision>}
  Tenant URL base:   ${tenant_url_base:-<unknown>}
  Resource group:    ${resource_group:-<unknown>}
  Key Vault:         ${vault:-<unknown>}

Next steps
  1. Get a function key for the admin API (it is not printed here):
       az functionapp keys list --name ${app_name:-<function app>} --resource-group ${resource_group:-<resource group>}
  2. Create an integration through the admin API (e.g. POST ${app_url:-<function app>}/api/admin/integrations with the
     key in the x-functions-key header). The answer holds the integration's Tenant URL (the Tenant URL base
     above, then /<integration id>/v2) and its secret token, shown once (POST .../secret-token/reveal shows it again).
  3. In the Microsoft Entra admin center: Enterprise applications > your app > Provisioning > Admin Credentials,
     paste the Tenant URL and the Secret Token, select Test Connection, then Save and start provisioning.
  4. Watch it: docs/operations.md has KQL for failed provisioning requests, throttled Graph calls and slow requests
     (Application Insights > Logs).
NEXT
