#!/usr/bin/env bash
# A whole credential in one task against the Atlas simulator:
# - playbook.yml: for an API key and for a service account, create complete (check mode first), the idempotent
#   second run at the fewest requests, a change to only the roles, only the access list, only one project,
#   purge_projects (check mode first, same diff), a fault between the parts and a rerun without a second credential.
# - ad hoc, as on a command line: atlas_org_api_key with access_list and project_roles in JSON arguments creates the
#   complete key, then changes nothing; the connection comes from the MONGODB_ATLAS_* environment variables.
set -euo pipefail

# shellcheck source-path=SCRIPTDIR/../.. source=runme_common.sh
. "$(dirname "$0")/../../runme_common.sh" "$@"
OUT=$TMP

ansible-playbook -i "${INVENTORY_PATH}" playbook.yml -e "@${config}" "$@"

ORG_ID=$(setting atlas_org_id)
ALPHA=$(setting atlas_project_alpha)
ADMIN_PRIVATE_KEY=$(setting atlas_admin_private_key)
export MONGODB_ATLAS_BASE_URL
MONGODB_ATLAS_BASE_URL=$(setting atlas_sim_url)
export MONGODB_ATLAS_PUBLIC_API_KEY
MONGODB_ATLAS_PUBLIC_API_KEY=$(setting atlas_admin_public_key)
export MONGODB_ATLAS_PRIVATE_API_KEY=$ADMIN_PRIVATE_KEY
unset ANSIBLE_STDOUT_CALLBACK ANSIBLE_LOAD_CALLBACK_PLUGINS

ARGS='{"org_id": "'"$ORG_ID"'", "description": "one-task adhoc", "roles": ["ORG_MEMBER"],
       "access_list": ["192.0.2.20", "198.51.100.0/24"],
       "project_roles": [{"project_id": "'"$ALPHA"'", "roles": ["GROUP_READ_ONLY"]}]}'

# adhoc NAME EXPECTED_STATUS PYTHON_CHECK: run the module ad hoc; the host's result is r.
adhoc() {
    ansible -i "${INVENTORY_PATH}" testhost -m mongodb_atlas.api_keys.atlas_org_api_key -a "$ARGS" >"$OUT/$1" 2>&1 || true
    if grep -qF -- "$ADMIN_PRIVATE_KEY" "$OUT/$1"; then
        echo "one_task_credential: the admin private key shows in the ad hoc output" >&2
        exit 1
    fi
    "$PYTHON" - "$OUT/$1" "$2" "$3" <<'PY'
import json
import re
import sys
output, expected, check = sys.argv[1:4]
text = open(output).read()
match = re.search(r"^testhost \| (\S+) => ", text, re.M)
if not match or match.group(1) != expected:
    sys.exit("one_task_credential: expected %s, got:\n%s" % (expected, text))
r = json.loads(text[match.end():])
if not eval(check):
    sys.exit("one_task_credential: %s is false for %s" % (check, json.dumps(r)))
print("ok: %s %s" % (expected, check))
PY
}

adhoc create CHANGED 'r["api_key"]["access_list"] == ["192.0.2.20/32", "198.51.100.0/24"] and r["api_key"]["project_assignments"] == [{"project_id": "'"$ALPHA"'", "roles": ["GROUP_READ_ONLY"]}] and r["api_key"]["private_key"]'
adhoc again SUCCESS 'r["changed"] is False and "private_key" not in r["api_key"] and r["api_key"]["access_list"] == ["192.0.2.20/32", "198.51.100.0/24"]'
