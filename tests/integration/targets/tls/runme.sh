#!/usr/bin/env bash
# TLS: a second simulator serves HTTPS with a self-signed certificate made at test time. With the
# default validate_certs=true the modules and the access-token lookup fail with a clear
# certificate message and send nothing; with validate_certs=false they work (create and delete a
# key). The client passes `verify` with every request, so REQUESTS_CA_BUNDLE / CURL_CA_BUNDLE
# (set to the system bundle on many machines) neither rescue nor break it: each case runs with
# REQUESTS_CA_BUNDLE set, with both unset, and with REQUESTS_CA_BUNDLE naming the certificate,
# which then makes the default validate_certs=true work. No Python warning reaches Ansible's output.
set -euxo pipefail

# shellcheck source-path=SCRIPTDIR/../.. source=runme_common.sh
. "$(dirname "$0")/../../runme_common.sh" "$@"

openssl req -x509 -newkey rsa:2048 -nodes -days 1 -subj /CN=127.0.0.1 -addext subjectAltName=IP:127.0.0.1 \
    -keyout "$TMP/key.pem" -out "$TMP/cert.pem" 2>"$TMP/openssl.err"

start_simulator "$PYTHON" "$SIMULATOR" --port 0 --tls-cert "$TMP/cert.pem" --tls-key "$TMP/key.pem"
TLS_URL=$SIM_URL
case "$TLS_URL" in
    https://127.0.0.1:*) ;;
    *) echo "tls: the simulator did not start with TLS: '$TLS_URL'" >&2; cat "$TMP/simulator.err" >&2; exit 1 ;;
esac

# run ARGS: the playbook; urllib3's warning about unverified requests (validate_certs=false) must not reach
# Ansible's output (the modules run in Ansible's process here, where a module's dropped stderr is Ansible's).
run() {
    ansible-playbook -i "${INVENTORY_PATH}" "$HERE/tls.yml" -e "@$config" -e "tls_url=$TLS_URL" "$@" 2>&1 | tee "$TMP/run.out"
    if grep -qE "InsecureRequestWarning|errantly sent data" "$TMP/run.out"; then
        echo "tls: a Python warning reached Ansible's output" >&2
        exit 1
    fi
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
