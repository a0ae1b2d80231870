#!/usr/bin/env bash
# Creates the seed's setup ("Okta SSO / Auth Code Flow", Steps 1-6) in a Gatehouse org through its
# Okta-compatible management API, with curl and an SSWS token, then prints the gateway's variables.
#
#   GATEHOUSE_ORG_URL=http://localhost:8080 GATEHOUSE_API_TOKEN=... deploy/setup/create-seed-app.sh
#
# Input (environment):
#   GATEHOUSE_ORG_URL    the org URL, as reachable from where this script runs (required)
#   GATEHOUSE_API_TOKEN  an SSWS API token with super-administrator rights (required)
#   GATEWAY_URL          the gateway's public URL, OIDC_SERVER_URL (default http://localhost:8585)
#   APP_LABEL            the app integration's name (default OpenMetadata)
#   CLIENT_ID            a client id to use instead of a generated one (optional)
#   CLIENT_SECRET        a client secret (14-100 printable characters) instead of a generated one (optional)
#   DEMO_USER_LOGIN      when set with DEMO_USER_PASSWORD, an ACTIVE user created for trying sign-in
#   DEMO_USER_PASSWORD
#
# Output: on stdout, KEY=value lines for the gateway's env file (nothing else); progress on stderr.
# Needs bash, curl and jq. Running it twice creates a second app and authorization server: the
# declarative `gatehouse apply -f examples/openmetadata/gatehouse.yaml` is the idempotent way.
set -euo pipefail

: "${GATEHOUSE_ORG_URL:?set GATEHOUSE_ORG_URL to the org URL, e.g. http://localhost:8080}"
: "${GATEHOUSE_API_TOKEN:?set GATEHOUSE_API_TOKEN to an SSWS API token}"
ORG="${GATEHOUSE_ORG_URL%/}"
GATEWAY="${GATEWAY_URL:-http://localhost:8585}"
GATEWAY="${GATEWAY%/}"
LABEL="${APP_LABEL:-OpenMetadata}"

for tool in curl jq; do
  command -v "$tool" >/dev/null || { echo "create-seed-app: $tool is required" >&2; exit 1; }
done

# One API call: prints the JSON response, or the Okta error (errorSummary and causes) and exits.
api() {
  local method=$1 path=$2 body=${3:-}
  local out status
  out=$(mktemp)
  status=$(curl -sS -o "$out" -w '%{http_code}' -X "$method" "$ORG/api/v1$path" \
    -H "Authorization: SSWS $GATEHOUSE_API_TOKEN" -H 'Accept: application/json' -H 'Content-Type: application/json' \
    ${body:+--data "$body"}) || { rm -f "$out"; echo "create-seed-app: cannot reach $ORG" >&2; exit 1; }
  if [ "$status" -ge 300 ]; then
    echo "create-seed-app: $method /api/v1$path answered HTTP $status:" >&2
    jq -r '([.errorCode, .errorSummary] | join(" ")), (.errorCauses[]?.errorSummary | "  - " + .)' "$out" >&2 2>/dev/null || cat "$out" >&2
    rm -f "$out"
    exit 1
  fi
  cat "$out"
  rm -f "$out"
}
say() { echo "create-seed-app: $*" >&2; }

# Step 1 and Step 6: a Web application (confidential client) with the Authorization Code and Refresh
# Token grants, the seed's two sign-in redirect URIs, a sign-out redirect URI, user consent off
# (TRUSTED), the ID token issuer set to the Okta URL (ORG_URL) and refresh tokens rotated on every use.
# The seed also ticks Implicit (hybrid); the gateway never uses it, so it is left off.
credentials=$(jq -n --arg id "${CLIENT_ID:-}" --arg secret "${CLIENT_SECRET:-}" \
  '{token_endpoint_auth_method: "client_secret_post"}
   + (if $id != "" then {client_id: $id} else {} end)
   + (if $secret != "" then {client_secret: $secret} else {} end)')
body=$(jq -n --arg name "$LABEL" --arg gw "$GATEWAY" --argjson creds "$credentials" '{
  name: "oidc_client",
  label: $name,
  signOnMode: "OPENID_CONNECT",
  credentials: { oauthClient: $creds },
  settings: { oauthClient: {
    application_type: "web",
    redirect_uris: [($gw + "/callback"), ($gw + "/silent-callback")],
    post_logout_redirect_uris: [($gw + "/")],
    initiate_login_uri: ($gw + "/api/v1/auth/login"),
    grant_types: ["authorization_code", "refresh_token"],
    response_types: ["code"],
    consent_method: "TRUSTED",
    issuer_mode: "ORG_URL",
    refresh_token: { rotation_type: "ROTATE", leeway: 30 }
  } }
}')
app=$(api POST /apps "$body")
app_id=$(jq -r .id <<<"$app")
client_id=$(jq -r .credentials.oauthClient.client_id <<<"$app")
client_secret=$(jq -r .credentials.oauthClient.client_secret <<<"$app")
say "app \"$LABEL\" created: id $app_id, client id $client_id"

# "Controlled access": assign the app to the Everyone group (or assign your own groups instead).
everyone=$(api GET '/groups?q=Everyone&limit=20' | jq -r '[.[] | select(.type == "BUILT_IN")][0].id')
api PUT "/apps/$app_id/groups/$everyone" '{}' >/dev/null
say "app assigned to the Everyone group ($everyone)"

# Step 2 and Step 3: a separate authorization server whose audience is the client id, with the
# issuer set to the Okta URL (issuerMode ORG_URL, not Dynamic).
body=$(jq -n --arg name "$LABEL" --arg aud "$client_id" '{
  name: $name, description: ("Authorization server for " + $name), audiences: [$aud], issuerMode: "ORG_URL"
}')
server=$(api POST /authorizationServers "$body")
server_id=$(jq -r .id <<<"$server")
issuer=$(jq -r .issuer <<<"$server")
say "authorization server created: id $server_id, issuer $issuer"

# Step 4: a default scope.
body=$(jq -n --arg name "$LABEL" '{
  name: "gatehouse.app", displayName: ($name + " access"), description: ("Signs in to " + $name),
  consent: "IMPLICIT", default: true, metadataPublish: "ALL_CLIENTS"
}')
api POST "/authorizationServers/$server_id/scopes" "$body" >/dev/null
say "default scope gatehouse.app created"

# Step 5: an access policy assigned to this client, with a rule for the Authorization Code and
# Refresh Token grants for everyone assigned to the app.
body=$(jq -n --arg name "$LABEL" --arg cid "$client_id" '{
  type: "OAUTH_AUTHORIZATION_POLICY", name: ($name + " policy"), description: ("Access policy for " + $name),
  priority: 1, conditions: { clients: { include: [$cid] } }
}')
policy=$(api POST "/authorizationServers/$server_id/policies" "$body")
policy_id=$(jq -r .id <<<"$policy")
api POST "/authorizationServers/$server_id/policies/$policy_id/rules" '{
  "type": "RESOURCE_ACCESS", "name": "Authorization code", "priority": 1,
  "conditions": {
    "people": { "groups": { "include": ["EVERYONE"] } },
    "grantTypes": { "include": ["authorization_code", "refresh_token"] },
    "scopes": { "include": ["*"] }
  },
  "actions": { "token": { "accessTokenLifetimeMinutes": 60, "refreshTokenLifetimeMinutes": 0, "refreshTokenWindowMinutes": 10080 } }
}' >/dev/null
say "access policy and rule created"

if [ -n "${DEMO_USER_LOGIN:-}" ] && [ -n "${DEMO_USER_PASSWORD:-}" ]; then
  body=$(jq -n --arg login "$DEMO_USER_LOGIN" --arg pw "$DEMO_USER_PASSWORD" '{
    profile: { firstName: "Demo", lastName: "User", email: $login, login: $login },
    credentials: { password: { value: $pw } }
  }')
  api POST '/users?activate=true' "$body" >/dev/null
  say "user $DEMO_USER_LOGIN created"
fi

# The gateway's variables for this setup (see deploy/docker/gateway.env.example for the others).
cat <<EOF
AUTHENTICATION_AUTHORITY=$issuer
OIDC_DISCOVERY_URI=$issuer/.well-known/openid-configuration
AUTHENTICATION_PUBLIC_KEYS=[$issuer/v1/keys]
AUTHENTICATION_CLIENT_ID=$client_id
OIDC_CLIENT_ID=$client_id
OIDC_CLIENT_SECRET=$client_secret
EOF
