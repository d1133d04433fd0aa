#!/usr/bin/env bash
# atlas_org_api_key used ad hoc, as on a command line:
#   ansible ... -m mongodb_atlas.api_keys.atlas_org_api_key -a '...'
# with the connection given only through the MONGODB_ATLAS_* environment variables.
# The simulator's URL and the admin key come from the integration config: an `-e @<file>` in "$@"
# (what ansible-test passes to cloud targets), else tests/integration/integration_config.yml, which
# ansible-test copies two levels above the target directory it runs this script in.
set -euo pipefail

# shellcheck source-path=SCRIPTDIR/../.. source=runme_common.sh
. "$(dirname "$0")/../../runme_common.sh" "$@"
MODULE=mongodb_atlas.api_keys.atlas_org_api_key
OUT=$TMP

SIM_URL=$(setting atlas_sim_url)
ORG_ID=$(setting atlas_org_id)
ADMIN_PRIVATE_KEY=$(setting atlas_admin_private_key)
export MONGODB_ATLAS_BASE_URL=$SIM_URL
export MONGODB_ATLAS_PUBLIC_API_KEY
MONGODB_ATLAS_PUBLIC_API_KEY=$(setting atlas_admin_public_key)
export MONGODB_ATLAS_PRIVATE_API_KEY=$ADMIN_PRIVATE_KEY
unset MONGODB_ATLAS_PUBLIC_KEY MONGODB_ATLAS_PRIVATE_KEY
# Ad hoc output in the default (minimal) format: "testhost | CHANGED => {json}".
unset ANSIBLE_STDOUT_CALLBACK ANSIBLE_LOAD_CALLBACK_PLUGINS

# sim METHOD PATH: call the simulator's control API, print its JSON answer.
sim() {
    "$PYTHON" - "$SIM_URL" "$1" "$2" <<'PY'
import sys
import urllib.request
url, method, path = sys.argv[1:4]
request = urllib.request.Request(url + path, method=method, data=b"" if method == "POST" else None)
with urllib.request.urlopen(request) as answer:
    sys.stdout.write(answer.read().decode() or "{}")
PY
}

# adhoc NAME ARGS [ansible options...]: run the module ad hoc; keep its output in $OUT/NAME.
adhoc() {
    local name=$1 args=$2
    shift 2
    echo "== ansible testhost -m $MODULE -a '$args' $*"
    ansible -i "${INVENTORY_PATH}" testhost -m "$MODULE" -a "$args" "$@" >"$OUT/$name" 2>"$OUT/$name.err" || true
    cat "$OUT/$name"
    if grep -qF -- "$ADMIN_PRIVATE_KEY" "$OUT/$name" "$OUT/$name.err"; then
        echo "FAIL: the admin private key shows in the output of $name" >&2
        exit 1
    fi
}

# expect NAME EXPRESSION: a Python expression over status ("CHANGED", "SUCCESS", "FAILED!"),
# r (the host's result), text (the whole output), log (simulator requests), keys (simulator keys).
expect() {
    sim GET /__sim/log >"$OUT/log.json"
    sim GET /__sim/state >"$OUT/state.json"
    "$PYTHON" - "$OUT/$1" "$OUT/log.json" "$OUT/state.json" "$2" <<'PY'
import json
import re
import sys
output, log_file, state_file, expression = sys.argv[1:5]
text = open(output).read()
match = re.search(r"^testhost \| (\S+) => ", text, re.M)
if not match:
    sys.exit("FAIL: no 'testhost | STATUS => {...}' line in:\n%s" % text)
status, r = match.group(1), json.loads(text[match.end():])
log = json.load(open(log_file))["requests"]
keys = {key["id"]: key for key in json.load(open(state_file))["api_keys"]}
writes = [request for request in log if request["write"]]
if not eval(expression):
    sys.exit("FAIL: %s\nstatus %s, result %s\nrequests %s" % (expression, status, json.dumps(r), json.dumps(log)))
print("ok: %s" % expression)
PY
}

# field NAME EXPRESSION: print a value of the host's result (r).
field() {
    "$PYTHON" - "$OUT/$1" "$2" <<'PY'
import json
import re
import sys
text = open(sys.argv[1]).read()
r = json.loads(text[re.search(r"^testhost \| (\S+) => ", text, re.M).end():])
print(eval(sys.argv[2]))
PY
}

sim POST /__sim/reset >/dev/null

# ---------------------------------------------------------------- create, then again
adhoc create "org_id=$ORG_ID description='adhoc key' roles=ORG_READ_ONLY,ORG_MEMBER"
expect create 'status == "CHANGED" and r["changed"] is True'
expect create '[(w["method"], w["path"]) for w in writes] == [("POST", "/api/atlas/v2/orgs/%s/apiKeys" % "'"$ORG_ID"'")]'
expect create 'r["api_key"]["roles"] == ["ORG_MEMBER", "ORG_READ_ONLY"] and r["api_key"]["description"] == "adhoc key"'
expect create 'r["api_key"]["private_key"] == keys[r["api_key"]["id"]]["privateKey"]'
KEY_ID=$(field create 'r["api_key"]["id"]')
PUBLIC_KEY=$(field create 'r["api_key"]["public_key"]')
NEW_PRIVATE_KEY=$(field create 'r["api_key"]["private_key"]')
sim DELETE /__sim/log >/dev/null

adhoc again "org_id=$ORG_ID description='adhoc key' roles=ORG_MEMBER,ORG_READ_ONLY"
expect again 'status == "SUCCESS" and r["changed"] is False and writes == []'
expect again 'r["api_key"]["id"] == "'"$KEY_ID"'" and "private_key" not in r["api_key"]'
expect again '"'"$NEW_PRIVATE_KEY"'" not in text'

# ---------------------------------------------------------------- check mode creates nothing
sim DELETE /__sim/log >/dev/null
adhoc check "org_id=$ORG_ID description='adhoc check key' roles=ORG_MEMBER" --check
expect check 'status == "CHANGED" and r["changed"] is True'
expect check 'writes == [] and len(log) > 0'
expect check '[k for k in keys.values() if k["desc"] == "adhoc check key"] == []'
expect check '"id" not in r["api_key"] and "private_key" not in r["api_key"]'

sim DELETE /__sim/log >/dev/null
adhoc check_delete "org_id=$ORG_ID public_key=$PUBLIC_KEY state=absent" --check
expect check_delete 'status == "CHANGED" and writes == [] and "'"$KEY_ID"'" in keys'

# ---------------------------------------------------------------- the same with v1.0, JSON arguments
sim DELETE /__sim/log >/dev/null
adhoc v1 '{"org_id": "'"$ORG_ID"'", "api_key_id": "'"$KEY_ID"'", "roles": ["ORG_MEMBER"], "api_version": "v1.0"}'
expect v1 'status == "CHANGED" and r["api_key"]["roles"] == ["ORG_MEMBER"]'
expect v1 '[(w["method"], w["path"]) for w in writes] == [("PATCH", "/api/atlas/v1.0/orgs/%s/apiKeys/%s" % ("'"$ORG_ID"'", "'"$KEY_ID"'"))]'

# ---------------------------------------------------------------- wrong credentials: a clear 401, no secret shown
sim DELETE /__sim/log >/dev/null
MONGODB_ATLAS_PRIVATE_API_KEY=not-the-admin-private-key adhoc wrong "org_id=$ORG_ID public_key=$PUBLIC_KEY state=absent"
expect wrong 'status == "FAILED!" and "HTTP 401" in r["msg"] and "Atlas rejected the credentials" in r["msg"]'
expect wrong 'writes == [] and "not-the-admin-private-key" not in text'

# ---------------------------------------------------------------- verbose output holds no secret either
adhoc verbose "org_id=$ORG_ID public_key=$PUBLIC_KEY" -vvvv
expect verbose 'status == "SUCCESS" and "private_key" not in r["api_key"]'

# ---------------------------------------------------------------- delete, then again
sim DELETE /__sim/log >/dev/null
adhoc delete "org_id=$ORG_ID public_key=$PUBLIC_KEY state=absent"
expect delete 'status == "CHANGED" and "'"$KEY_ID"'" not in keys'
expect delete '[w["method"] for w in writes] == ["DELETE"]'
sim DELETE /__sim/log >/dev/null
adhoc delete_again "org_id=$ORG_ID public_key=$PUBLIC_KEY state=absent"
expect delete_again 'status == "SUCCESS" and r["changed"] is False and writes == [] and r["api_key"] == {}'

echo "atlas_org_api_key_adhoc: all checks passed"
