#!/usr/bin/env bash
# Create the SSH key pair ansible-test integration makes on its first run (~/.ansible/test/id_rsa
# and id_rsa.pub), the way it makes it, when it is missing.
#
# `make integration` runs two ansible-test integration at once; on a machine where neither has
# run before, both would create the key at the same moment and one fails ("id_rsa already exists.
# Overwrite (y/n)?"). Creating it first, alone, avoids that race.
set -euo pipefail

key=$HOME/.ansible/test/id_rsa
if [[ -f $key && -f $key.pub ]]; then
    exit 0
fi
mkdir -p "$(dirname "$key")"
rm -f "$key" "$key.pub"
ssh-keygen -m PEM -q -t rsa -N '' -f "$key"
# as ansible-test does: paramiko wants the RSA PEM header that newer ssh-keygen does not write
sed -i -E 's/(BEGIN|END) PRIVATE KEY/\1 RSA PRIVATE KEY/' "$key"
echo ">>> created ansible-test's SSH key pair $key"
