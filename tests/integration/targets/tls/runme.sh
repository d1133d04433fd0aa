#!/usr/bin/env bash
# TLS: a second simulator serves HTTPS with a self-signed certificate made at test time. With the
# default validate_certs=true the modules and the access-token lookup fail with a clear
# certificate message and send nothing; with validate_certs=false they work (create and delete a
# key). The client passes `verify` with every request, so REQUESTS_CA_BUNDLE / CURL_CA_BUNDLE
# (set to the system bundle on many machines) neither rescue nor break it: each case runs with
# REQUESTS_CA_BUNDLE set, with both unset, and with REQUESTS_CA_BUNDLE naming the certificate,
# which then makes the default validate_certs=true work.
set -eux

config=
while [ $# -gt 0 ]; do
    if [ "$1" = -e ] && [ $# -gt 1 ] && [ "${2#@}" != "$2" ]; then
        config=${2#@}
        shift
    fi
    shift
done
if [ -z "$config" ]; then
    config=$(cd "$(dirname "$0")/../.." && pwd)/integration_config.yml
fi
test -f "$config"

PYTHON=${ANSIBLE_TEST_PYTHON_INTERPRETER:-python3}
HERE=$(cd "$(dirname "$0")" && pwd)
SIMULATOR=$(cd "$HERE/../../../simulator" && pwd)/atlas_simulator.py
TMP=$(mktemp -d)
SIM_PID=

cleanup() {
    if [ -n "$SIM_PID" ]; then
        kill "$SIM_PID" 2>/dev/null || true
        wait "$SIM_PID" 2>/dev/null || true
    fi
    rm -rf "$TMP"
}
trap cleanup EXIT

unset MONGODB_ATLAS_PUBLIC_API_KEY MONGODB_ATLAS_PRIVATE_API_KEY MONGODB_ATLAS_PUBLIC_KEY MONGODB_ATLAS_PRIVATE_KEY
unset MONGODB_ATLAS_CLIENT_ID MONGODB_ATLAS_CLIENT_SECRET MONGODB_ATLAS_ACCESS_TOKEN MONGODB_ATLAS_BASE_URL

openssl req -x509 -newkey rsa:2048 -nodes -days 1 -subj /CN=127.0.0.1 -addext subjectAltName=IP:127.0.0.1 \
    -keyout "$TMP/key.pem" -out "$TMP/cert.pem" 2>"$TMP/openssl.err"

: >"$TMP/simulator.out"  # exists before the loop below reads it
"$PYTHON" "$SIMULATOR" --port 0 --tls-cert "$TMP/cert.pem" --tls-key "$TMP/key.pem" \
    >"$TMP/simulator.out" 2>"$TMP/simulator.err" &
SIM_PID=$!
TLS_URL=
for _ in $(seq 100); do
    TLS_URL=$(sed -n 's/^ATLAS_SIMULATOR_URL=//p' "$TMP/simulator.out")
    [ -n "$TLS_URL" ] && break
    kill -0 "$SIM_PID" || { cat "$TMP/simulator.err" >&2; exit 1; }
    sleep 0.1
done
case "$TLS_URL" in
    https://127.0.0.1:*) ;;
    *) echo "tls: the simulator did not start with TLS: '$TLS_URL'" >&2; cat "$TMP/simulator.err" >&2; exit 1 ;;
esac

run() {
    ansible-playbook -i "${INVENTORY_PATH}" "$HERE/tls.yml" -e "@$config" -e "tls_url=$TLS_URL" "$@"
}

# REQUESTS_CA_BUNDLE set: the caller's (many machines point it at the system bundle), else certifi's.
# requests lets it override a Session's verify=False; the client must pass verify per request.
if [ -z "${REQUESTS_CA_BUNDLE:-}" ]; then
    REQUESTS_CA_BUNDLE=$("$PYTHON" -c 'import certifi; print(certifi.where())')
fi
REQUESTS_CA_BUNDLE=$REQUESTS_CA_BUNDLE run
# Unset: requests falls back to certifi.
(
    unset REQUESTS_CA_BUNDLE CURL_CA_BUNDLE
    run
)
# A bundle holding the certificate: the default validate_certs=true now succeeds.
REQUESTS_CA_BUNDLE="$TMP/cert.pem" run -e '{"tls_trusted": true}'

echo "tls: all checks passed"
